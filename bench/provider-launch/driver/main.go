// SPDX-License-Identifier: MIT
//
// driver: times what Terraform pays per provider launch, N times: start the process with
// Terraform's environment (cookie, PLUGIN_PROTOCOL_VERSIONS, PLUGIN_CLIENT_CERT) -> read the
// handshake line -> mutual-TLS HTTP/2 connection (grpc-go) -> GetProviderSchema answered ->
// GRPCController.Shutdown -> process exit. The client certificate is made once, outside the
// timing (its cost is Terraform's, not the provider's). Peak RSS is the child's VmHWM once the schema is answered.
// Output: one line per binary: median, p90, min, and phase medians (ms), median/max peak RSS (KiB).
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"math/big"
	"net"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"

	"golang.org/x/net/context"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v interface{}) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

func clientCert() (tls.Certificate, string) {
	key, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	sn, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	tmpl := &x509.Certificate{
		SerialNumber: sn, Subject: pkix.Name{CommonName: "localhost", Organization: []string{"HashiCorp"}},
		DNSNames: []string{"localhost"}, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement | x509.KeyUsageCertSign,
		NotBefore:   time.Now().Add(-30 * time.Second), NotAfter: time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	kd, _ := x509.MarshalECPrivateKey(key)
	cp := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	c, err := tls.X509KeyPair(cp, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}))
	if err != nil {
		panic(err)
	}
	return c, string(cp)
}

type sample struct {
	total, hs, schema, exit, cpu time.Duration
	rssKiB              int64
	shutdownErr         bool
}

func once(bin string, cert tls.Certificate, certPEM string, useTLS bool) (sample, error) {
	var s sample
	env := append(os.Environ(), "TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
		"PLUGIN_PROTOCOL_VERSIONS=5,6", "PLUGIN_MIN_PORT=10000", "PLUGIN_MAX_PORT=25000")
	if useTLS {
		env = append(env, "PLUGIN_CLIENT_CERT="+certPEM)
	} else {
		env = append(env, "TF_DISABLE_PLUGIN_TLS=1")
	}
	t0 := time.Now()
	cmd := exec.Command(bin)
	cmd.Env = env
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return s, err
	}
	done := make(chan struct{})
	defer func() {
		select {
		case <-done:
		default:
			cmd.Process.Kill()
			<-done
		}
	}()
	r := bufio.NewReader(out)
	line, err := r.ReadString('\n')
	go func() { io.Copy(ioutil.Discard, r); cmd.Wait(); close(done) }()
	if err != nil {
		return s, fmt.Errorf("handshake: %v", err)
	}
	s.hs = time.Since(t0)
	f := strings.Split(strings.TrimSpace(line), "|")
	if len(f) < 5 {
		return s, fmt.Errorf("handshake %q", line)
	}
	opts := []grpc.DialOption{grpc.WithDialer(func(string, time.Duration) (net.Conn, error) { return net.Dial(f[2], f[3]) })}
	if useTLS {
		der, err := base64.RawStdEncoding.DecodeString(f[5])
		if err != nil {
			return s, err
		}
		sc, err := x509.ParseCertificate(der)
		if err != nil {
			return s, err
		}
		pool := x509.NewCertPool()
		pool.AddCert(sc)
		opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{
			Certificates: []tls.Certificate{cert}, RootCAs: pool, ServerName: "localhost", MinVersion: tls.VersionTLS12})))
	} else {
		opts = append(opts, grpc.WithInsecure())
	}
	conn, err := grpc.Dial("unused", opts...)
	if err != nil {
		return s, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second+*exitTimeout)
	defer cancel()
	var req, resp []byte
	if err := conn.Invoke(ctx, "/tfplugin6.Provider/GetProviderSchema", &req, &resp, grpc.ForceCodec(rawCodec{})); err != nil {
		return s, err
	}
	s.schema = time.Since(t0)
	s.rssKiB = vmHWM(cmd.Process.Pid)
	if *hook != "" {
		exec.Command("sh", "-c", *hook+" "+fmt.Sprint(cmd.Process.Pid)).Run()
	}
	if *smapsDir != "" {
		if b, err := ioutil.ReadFile(fmt.Sprintf("/proc/%d/smaps", cmd.Process.Pid)); err == nil {
			ioutil.WriteFile(fmt.Sprintf("%s/%d.smaps", *smapsDir, cmd.Process.Pid), b, 0o644)
		}
	}
	// go-plugin's own server may drop the connection before its Shutdown reply is written:
	// count that, and time the exit all the same.
	if err := conn.Invoke(ctx, "/plugin.GRPCController/Shutdown", &req, &resp, grpc.ForceCodec(rawCodec{})); err != nil {
		s.shutdownErr = true
	}
	conn.Close()
	select {
	case <-done:
	case <-time.After(*exitTimeout):
		return s, fmt.Errorf("no exit %v after Shutdown", *exitTimeout)
	}
	s.total = time.Since(t0)
	s.exit = s.total - s.schema
	s.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return s, nil
}

// vmHWM: the peak resident set of the process's current image, from /proc. (The child's rusage
// is no good here: Go starts children with vfork semantics, and Linux carries the parent's
// high-water mark across the exec into the child's ru_maxrss.) Read after GetProviderSchema was
// answered, i.e. after startup, TLS, HTTP/2 and the first call.
func vmHWM(pid int) int64 {
	b, err := ioutil.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			var kib int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")), "%d", &kib)
			return kib
		}
	}
	return -1
}

// -smaps DIR: a copy of the provider's /proc/PID/smaps taken with the peak RSS (to see where it goes).
var smapsDir = flag.String("smaps", "", "copy each launch's /proc/PID/smaps, taken after the schema answer, into DIR")

// -exit-timeout: how long a launch may take to exit after Shutdown (longer under valgrind).
var exitTimeout = flag.Duration("exit-timeout", 5*time.Second, "a launch that has not exited this long after Shutdown fails")

// -hook CMD: runs `sh -c "CMD PID"` after the schema answer, before Shutdown (for pagemap dumps and the like).
var hook = flag.String("hook", "", "shell command run with the provider's PID appended after the schema answer")

func median(d []time.Duration) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }

func main() {
	n := flag.Int("n", 50, "launches per binary")
	useTLS := flag.Bool("tls", true, "AutoMTLS (else h2c)")
	flag.Parse()
	cert, certPEM := clientCert()
	for _, arg := range flag.Args() {
		label, bin := arg, arg
		if i := strings.Index(arg, "="); i > 0 {
			label, bin = arg[:i], arg[i+1:]
		}
		once(bin, cert, certPEM, *useTLS) // warm the page cache
		var tot, hs, sch, ex, cpu []time.Duration
		var rss []int64
		shutdownErrs := 0
		for i := 0; i < *n; i++ {
			s, err := once(bin, cert, certPEM, *useTLS)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: launch %d: %v\n", label, i, err)
				os.Exit(1)
			}
			tot, hs, sch, ex = append(tot, s.total), append(hs, s.hs), append(sch, s.schema), append(ex, s.exit)
			cpu = append(cpu, s.cpu)
			rss = append(rss, s.rssKiB)
			if s.shutdownErr {
				shutdownErrs++
			}
		}
		sort.Slice(rss, func(i, j int) bool { return rss[i] < rss[j] })
		sorted := append([]time.Duration(nil), tot...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
		fmt.Printf("%s median_ms=%s p90_ms=%s min_ms=%s handshake_ms=%s schema_ms=%s exit_ms=%s cpu_ms=%s rss_median_kib=%d rss_max_kib=%d n=%d shutdown_reply_errors=%d\n",
			label, ms(median(tot)), ms(sorted[len(sorted)*9/10]), ms(sorted[0]), ms(median(hs)), ms(median(sch)), ms(median(ex)), ms(median(cpu)),
			rss[len(rss)/2], rss[len(rss)-1], *n, shutdownErrs)
	}
}
