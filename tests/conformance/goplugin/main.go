// SPDX-License-Identifier: MIT
//
// goplugin-conformance: drives build/terraform-provider-scaleway the way Terraform does, through
// HashiCorp's go-plugin client (Debian's golang-github-hashicorp-go-plugin-dev, the launch code
// Terraform embeds) and grpc-go (golang-google-grpc-dev), plus raw crypto/tls checks of the
// AutoMTLS rules and the launch rules (cookie, versions, socket dir, debug mode, signals). With
// -server it drives build/tests/grpc-test-server instead: the gRPC layer's edge cases (large
// messages both ways, streaming, cancellation, statuses, concurrency). Messages are raw protobuf
// bytes (a pass-through codec), so no generated Go code is needed. Prints TAP.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const cookie = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

// ---- TAP ----

var testN, failed int

func check(name string, err error) {
	testN++
	if err != nil {
		failed++
		fmt.Printf("not ok %d - %s\n", testN, name)
		for _, l := range strings.Split(err.Error(), "\n") {
			fmt.Printf("# %s\n", l)
		}
		return
	}
	fmt.Printf("ok %d - %s\n", testN, name)
}

func errorf(format string, a ...interface{}) error { return fmt.Errorf(format, a...) }

// ---- raw protobuf ----

type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v interface{}) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendBytesField(b []byte, field int, data []byte) []byte {
	b = appendVarint(b, uint64(field<<3|2))
	b = appendVarint(b, uint64(len(data)))
	return append(b, data...)
}

// fields returns the wire fields of a message: field number -> raw values (varints as 8 bytes LE are
// not needed here: only presence and length-delimited payloads are checked).
func fields(msg []byte) (map[int][][]byte, error) {
	out := map[int][][]byte{}
	for len(msg) > 0 {
		key, n := readVarint(msg)
		if n == 0 {
			return nil, errors.New("bad varint")
		}
		msg = msg[n:]
		f, wt := int(key>>3), key&7
		switch wt {
		case 0:
			v, n := readVarint(msg)
			if n == 0 {
				return nil, errors.New("bad varint value")
			}
			out[f] = append(out[f], []byte(fmt.Sprint(v)))
			msg = msg[n:]
		case 2:
			l, n := readVarint(msg)
			if n == 0 || uint64(len(msg)-n) < l {
				return nil, errors.New("bad length")
			}
			out[f] = append(out[f], msg[n:n+int(l)])
			msg = msg[n+int(l):]
		default:
			return nil, fmt.Errorf("unexpected wire type %d", wt)
		}
	}
	return out, nil
}

func readVarint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * uint(i))
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

func invoke(ctx context.Context, conn *grpc.ClientConn, method string, req []byte) ([]byte, error) {
	var resp []byte
	err := conn.Invoke(ctx, method, &req, &resp, grpc.ForceCodec(rawCodec{}))
	return resp, err
}

func ctxT(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// ---- go-plugin launch ----

type launched struct {
	client *plugin.Client
	conn   *grpc.ClientConn
	stderr *syncBuf
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// sanitizerClean fails when a sanitizer build of the binary reported anything on stderr.
func sanitizerClean(stderr string) error {
	for _, bad := range []string{"AddressSanitizer", "LeakSanitizer", "runtime error:", "fatal error:"} {
		if i := strings.Index(stderr, bad); i >= 0 {
			end := i + 2000
			if end > len(stderr) {
				end = len(stderr)
			}
			return fmt.Errorf("stderr reports %q:\n%s", bad, stderr[i:end])
		}
	}
	return nil
}

func launch(bin string, tlsOn bool, extraEnv ...string) (*launched, error) {
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), extraEnv...)
	if !tlsOn {
		cmd.Env = append(cmd.Env, "TF_DISABLE_PLUGIN_TLS=1")
	}
	se := &syncBuf{}
	c := plugin.NewClient(&plugin.ClientConfig{
		Stderr:           se,
		HandshakeConfig: plugin.HandshakeConfig{
			MagicCookieKey:   "TF_PLUGIN_MAGIC_COOKIE",
			MagicCookieValue: cookie,
		},
		VersionedPlugins: map[int]plugin.PluginSet{5: {}, 6: {}},
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         tlsOn,
		StartTimeout:     10 * time.Second,
		Managed:          false,
	})
	rpc, err := c.Client()
	if err != nil {
		c.Kill()
		return nil, err
	}
	g, ok := rpc.(*plugin.GRPCClient)
	if !ok {
		c.Kill()
		return nil, errors.New("not a gRPC client")
	}
	return &launched{client: c, conn: g.Conn, stderr: se}, nil
}

func providerSuite(bin string, tlsOn bool) {
	mode := "h2c"
	if tlsOn {
		mode = "TLS"
	}
	t0 := time.Now()
	l, err := launch(bin, tlsOn)
	check(fmt.Sprintf("[%s] go-plugin launches the provider (handshake, %s)", mode, time.Since(t0).Round(time.Millisecond)), err)
	if err != nil {
		return
	}
	defer l.client.Kill()
	check(fmt.Sprintf("[%s] negotiated protocol 6", mode), func() error {
		if v := l.client.NegotiatedVersion(); v != 6 {
			return errorf("negotiated %d", v)
		}
		return nil
	}())
	check(fmt.Sprintf("[%s] health Check(\"plugin\") is SERVING (go-plugin Ping)", mode), func() error {
		rpc, _ := l.client.Client()
		return rpc.Ping()
	}())
	check(fmt.Sprintf("[%s] health Check of an unknown service is NOT_FOUND", mode), func() error {
		ctx, cancel := ctxT(5 * time.Second)
		defer cancel()
		_, err := invoke(ctx, l.conn, "/grpc.health.v1.Health/Check", appendBytesField(nil, 1, []byte("nope")))
		if status.Code(err) != codes.NotFound {
			return errorf("got %v", err)
		}
		return nil
	}())
	check(fmt.Sprintf("[%s] GetProviderSchema answers a provider schema", mode), func() error {
		ctx, cancel := ctxT(5 * time.Second)
		defer cancel()
		resp, err := invoke(ctx, l.conn, "/tfplugin6.Provider/GetProviderSchema", nil)
		if err != nil {
			return err
		}
		f, err := fields(resp)
		if err != nil {
			return err
		}
		if len(f[1]) != 1 {
			return errorf("response has no provider schema (field 1): %x", resp)
		}
		return nil
	}())
	check(fmt.Sprintf("[%s] an unknown method is UNIMPLEMENTED", mode), func() error {
		ctx, cancel := ctxT(5 * time.Second)
		defer cancel()
		_, err := invoke(ctx, l.conn, "/tfplugin6.Provider/NoSuchMethod", nil)
		if status.Code(err) != codes.Unimplemented {
			return errorf("got %v", err)
		}
		_, err = invoke(ctx, l.conn, "/other.Service/Method", nil)
		if status.Code(err) != codes.Unimplemented {
			return errorf("other service: got %v", err)
		}
		return nil
	}())
	check(fmt.Sprintf("[%s] a malformed request is INVALID_ARGUMENT", mode), func() error {
		ctx, cancel := ctxT(5 * time.Second)
		defer cancel()
		// field 1 (config) claims 255 bytes and has none
		_, err := invoke(ctx, l.conn, "/tfplugin6.Provider/ValidateProviderConfig", []byte{0x0a, 0xff})
		if status.Code(err) != codes.InvalidArgument {
			return errorf("got %v", err)
		}
		return nil
	}())
	check(fmt.Sprintf("[%s] 12 concurrent calls with StopProvider in the middle all get answers", mode), func() error {
		ctx, cancel := ctxT(10 * time.Second)
		defer cancel()
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				method := "/tfplugin6.Provider/GetProviderSchema"
				if i == 6 {
					method = "/tfplugin6.Provider/StopProvider"
				}
				_, err := invoke(ctx, l.conn, method, nil)
				// StopProvider: OK once the framework implements it, UNIMPLEMENTED before.
				if err != nil && !(i == 6 && status.Code(err) == codes.Unimplemented) {
					errs <- fmt.Errorf("call %d (%s): %v", i, method, err)
				}
			}(i)
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			return e
		}
		return nil
	}())
	check(fmt.Sprintf("[%s] a 6 MiB request crosses flow control and gets a server status", mode), func() error {
		ctx, cancel := ctxT(20 * time.Second)
		defer cancel()
		name := bytes.Repeat([]byte("a"), 6<<20)
		_, err := invoke(ctx, l.conn, "/tfplugin6.Provider/ValidateResourceConfig", appendBytesField(nil, 1, name))
		switch status.Code(err) {
		case codes.OK, codes.Unimplemented, codes.InvalidArgument:
			return nil
		}
		return errorf("got %v", err)
	}())
	check(fmt.Sprintf("[%s] StreamStdio stays open and sends nothing", mode), func() error {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		st, err := l.conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, "/plugin.GRPCStdio/StreamStdio", grpc.ForceCodec(rawCodec{}))
		if err != nil {
			return err
		}
		empty := []byte{}
		if err := st.SendMsg(&empty); err != nil {
			return err
		}
		if err := st.CloseSend(); err != nil {
			return err
		}
		got := make(chan error, 1)
		go func() {
			var m []byte
			got <- st.RecvMsg(&m)
		}()
		select {
		case err := <-got:
			return errorf("stream ended or sent: %v", err)
		case <-time.After(300 * time.Millisecond):
			return nil
		}
	}())
	// Shutdown: go-plugin's Kill() calls GRPCController.Shutdown, then waits up to 2 s for exit.
	t1 := time.Now()
	l.client.Kill()
	el := time.Since(t1)
	check(fmt.Sprintf("[%s] Kill (GRPCController.Shutdown) ends the process promptly (%s)", mode, el.Round(time.Millisecond)), func() error {
		if !l.client.Exited() {
			return errorf("process still running")
		}
		// Without a Shutdown answer go-plugin waits 2 s then SIGKILLs: 1.5 s tells the two apart
		// even on a loaded machine (a sanitizer build at load 9 has taken just over 1 s).
		if el > 1500*time.Millisecond {
			return errorf("took %s: go-plugin fell back to SIGKILL", el)
		}
		return nil
	}())
	check(fmt.Sprintf("[%s] no sanitizer or crash report on stderr", mode), sanitizerClean(l.stderr.String()))
}

// ---- manual launch (the go-plugin protocol by hand) ----

type proc struct {
	cmd    *exec.Cmd
	first  string
	stderr *syncBuf
	done   chan error
}

func start(bin string, args []string, env []string) (*proc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, stderr: &syncBuf{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(out)
		l, _ := r.ReadString('\n')
		lines <- strings.TrimRight(l, "\n")
		io.Copy(ioutil.Discard, r)
	}()
	go func() { p.done <- cmd.Wait() }()
	select {
	case p.first = <-lines:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		return nil, errors.New("no handshake line within 10 s")
	}
	return p, nil
}

func (p *proc) wait(d time.Duration) (int, error) {
	select {
	case err := <-p.done:
		p.done <- err
		if err == nil {
			return 0, nil
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), nil
		}
		return -1, err
	case <-time.After(d):
		return -1, errors.New("still running")
	}
}

func (p *proc) kill() {
	p.cmd.Process.Kill()
	p.wait(5 * time.Second)
}

func baseEnv(extra ...string) []string {
	env := []string{}
	for _, e := range os.Environ() {
		if strings.HasPrefix(e, "TF_PLUGIN_MAGIC_COOKIE=") || strings.HasPrefix(e, "PLUGIN_") || strings.HasPrefix(e, "TF_DISABLE_PLUGIN_TLS=") {
			continue
		}
		env = append(env, e)
	}
	return append(env, extra...)
}

// clientCert makes a go-plugin-like client certificate (ECDSA, self-signed, CA, SAN localhost).
func clientCert() (tls.Certificate, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	sn, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"HashiCorp"}},
		DNSNames:              []string{"localhost"},
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		NotBefore:             time.Now().Add(-30 * time.Second),
		NotAfter:              time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	return c, string(certPEM), err
}

type handshake struct {
	fields []string
	cert   *x509.Certificate
}

func parseHandshake(line string) (*handshake, error) {
	f := strings.Split(line, "|")
	if len(f) != 5 && len(f) != 6 {
		return nil, fmt.Errorf("want 5 or 6 fields: %q", line)
	}
	if f[0] != "1" || f[1] != "6" || f[2] != "unix" || f[4] != "grpc" || !filepath.IsAbs(f[3]) {
		return nil, fmt.Errorf("bad handshake fields: %q", line)
	}
	h := &handshake{fields: f}
	if len(f) == 6 {
		der, err := base64.RawStdEncoding.DecodeString(f[5])
		if err != nil {
			return nil, fmt.Errorf("cert field is not unpadded standard base64: %v", err)
		}
		h.cert, err = x509.ParseCertificate(der)
		if err != nil {
			return nil, err
		}
	}
	return h, nil
}

func tlsDial(h *handshake, cfg *tls.Config) (*tls.Conn, error) {
	raw, err := net.DialTimeout("unix", h.fields[3], 5*time.Second)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(h.cert)
	cfg.RootCAs = pool
	cfg.ServerName = "localhost"
	c := tls.Client(raw, cfg)
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if err := c.Handshake(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// refused: the TLS session must fail by the first read (TLS 1.3 reports client-cert failures
// after the client's handshake completes).
func refused(h *handshake, cfg *tls.Config) error {
	c, err := tlsDial(h, cfg)
	if err != nil {
		return nil
	}
	defer c.Close()
	c.Write([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00"))
	buf := make([]byte, 64)
	if _, err := c.Read(buf); err != nil {
		return nil
	}
	return errors.New("the server accepted the session and answered")
}

func tlsSuite(bin string) {
	cert, certPEM, err := clientCert()
	if err != nil {
		check("make a client certificate", err)
		return
	}
	other, _, _ := clientCert()
	env := baseEnv("TF_PLUGIN_MAGIC_COOKIE="+cookie, "PLUGIN_PROTOCOL_VERSIONS=5,6", "PLUGIN_CLIENT_CERT="+certPEM)
	p, err := start(bin, nil, env)
	check("[tls] provider starts with PLUGIN_CLIENT_CERT", err)
	if err != nil {
		return
	}
	defer p.kill()
	h, err := parseHandshake(p.first)
	check("[tls] handshake line: 6 fields, cert is unpadded standard base64 DER", func() error {
		if err != nil {
			return err
		}
		if h.cert == nil {
			return errors.New("no certificate field")
		}
		if strings.HasSuffix(p.first, "=") {
			return errors.New("padding left in the certificate field")
		}
		return nil
	}())
	if err != nil || h.cert == nil {
		return
	}
	check("[tls] server certificate: SAN localhost, P-256, backdated, CA, serverAuth", func() error {
		c := h.cert
		if err := c.VerifyHostname("localhost"); err != nil {
			return err
		}
		if k, ok := c.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
			return errors.New("not a P-256 key")
		}
		if !c.NotBefore.Before(time.Now().Add(-20*time.Second)) || c.NotAfter.Before(time.Now().Add(24*365*time.Hour)) {
			return fmt.Errorf("validity %s .. %s", c.NotBefore, c.NotAfter)
		}
		if !c.IsCA {
			return errors.New("not CA:TRUE (go-plugin's template)")
		}
		hasServer := false
		for _, u := range c.ExtKeyUsage {
			hasServer = hasServer || u == x509.ExtKeyUsageServerAuth
		}
		if !hasServer {
			return errors.New("no serverAuth EKU")
		}
		return nil
	}())
	// keeper stays connected until the last test: closing the last accepted connection ends the
	// provider (go-plugin's EOF rule), refused connections must not count.
	var keeper *tls.Conn
	check("[tls] TLS 1.3 with the client certificate negotiates ALPN h2", func() error {
		c, err := tlsDial(h, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}, MinVersion: tls.VersionTLS12})
		if err != nil {
			return err
		}
		keeper = c
		st := c.ConnectionState()
		if st.NegotiatedProtocol != "h2" {
			return fmt.Errorf("ALPN %q", st.NegotiatedProtocol)
		}
		if st.Version != tls.VersionTLS13 {
			return fmt.Errorf("version %x", st.Version)
		}
		// The server speaks first in HTTP/2: its SETTINGS frame must arrive without waiting for ours.
		hdr := make([]byte, 9)
		if _, err := io.ReadFull(c, hdr); err != nil {
			return fmt.Errorf("no server preface: %v", err)
		}
		if hdr[3] != 0x4 {
			return fmt.Errorf("first frame type %d, want SETTINGS", hdr[3])
		}
		return nil
	}())
	check("[tls] TLS 1.2 works too (ECDHE + AEAD)", func() error {
		c, err := tlsDial(h, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}, MaxVersion: tls.VersionTLS12})
		if err != nil {
			return err
		}
		defer c.Close()
		if c.ConnectionState().Version != tls.VersionTLS12 || c.ConnectionState().NegotiatedProtocol != "h2" {
			return errors.New("not TLS 1.2 with h2")
		}
		return nil
	}())
	check("[tls] a client without a certificate is refused", refused(h, &tls.Config{NextProtos: []string{"h2"}}))
	check("[tls] a client with another certificate is refused", refused(h, &tls.Config{Certificates: []tls.Certificate{other}, NextProtos: []string{"h2"}}))
	check("[tls] a client offering only http/1.1 in ALPN is refused", refused(h, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}}))
	check("[tls] a client offering no ALPN is refused", refused(h, &tls.Config{Certificates: []tls.Certificate{cert}}))
	check("[tls] TLS 1.1 is refused", func() error {
		c, err := tlsDial(h, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
		if err == nil {
			c.Close()
			return errors.New("TLS 1.1 handshake succeeded")
		}
		return nil
	}())
	check("[tls] still serving after the refused clients (no crash, no exit)", func() error {
		c, err := tlsDial(h, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}})
		if err != nil {
			return err
		}
		c.Close()
		return nil
	}())
	// EOF on the last connection ends a non-debug provider.
	check("[tls] closing the last connection ends the provider, socket dir removed", func() error {
		if keeper == nil {
			return errors.New("no connection to close")
		}
		if _, err := p.wait(200 * time.Millisecond); err == nil {
			return errors.New("exited before its last client left")
		}
		keeper.Close()
		code, err := p.wait(3 * time.Second)
		if err != nil {
			return fmt.Errorf("after the last close: %v", err)
		}
		if code != 0 {
			return fmt.Errorf("exit status %d", code)
		}
		if _, err := os.Stat(filepath.Dir(h.fields[3])); !os.IsNotExist(err) {
			return fmt.Errorf("%s left behind", filepath.Dir(h.fields[3]))
		}
		return sanitizerClean(p.stderr.String())
	}())
}

func launchSuite(bin string) {
	check("[launch] without the magic cookie: go-plugin's message, exit 1", func() error {
		cmd := exec.Command(bin)
		cmd.Env = baseEnv()
		var se bytes.Buffer
		cmd.Stderr = &se
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			return fmt.Errorf("want exit 1, got %v", err)
		}
		if !strings.Contains(se.String(), "This binary is a plugin") {
			return fmt.Errorf("stderr: %q", se.String())
		}
		return nil
	}())
	check("[launch] a wrong cookie is refused the same way", func() error {
		cmd := exec.Command(bin)
		cmd.Env = baseEnv("TF_PLUGIN_MAGIC_COOKIE=nope")
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			return fmt.Errorf("want exit 1, got %v", err)
		}
		return nil
	}())
	check("[launch] PLUGIN_PROTOCOL_VERSIONS=5 only: a first line saying why, exit 1", func() error {
		cmd := exec.Command(bin)
		cmd.Env = baseEnv("TF_PLUGIN_MAGIC_COOKIE="+cookie, "PLUGIN_PROTOCOL_VERSIONS=5")
		out, err := cmd.Output()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			return fmt.Errorf("want exit 1, got %v", err)
		}
		if !strings.Contains(string(out), "protocol 6") {
			return fmt.Errorf("stdout: %q", out)
		}
		return nil
	}())
	dir, _ := ioutil.TempDir("", "sockdir")
	defer os.RemoveAll(dir)
	for _, vs := range []string{"6,5", "5,6"} {
		vs := vs
		check("[launch] h2c: 5-field handshake in PLUGIN_UNIX_SOCKET_DIR, versions "+vs, func() error {
			p, err := start(bin, nil, baseEnv("TF_PLUGIN_MAGIC_COOKIE="+cookie, "PLUGIN_PROTOCOL_VERSIONS="+vs, "PLUGIN_UNIX_SOCKET_DIR="+dir))
			if err != nil {
				return err
			}
			defer p.kill()
			h, err := parseHandshake(p.first)
			if err != nil {
				return err
			}
			if len(h.fields) != 5 {
				return fmt.Errorf("TLS off but %d fields", len(h.fields))
			}
			if !strings.HasPrefix(h.fields[3], dir+"/plugin") {
				return fmt.Errorf("socket %s not in %s", h.fields[3], dir)
			}
			if st, err := os.Stat(h.fields[3]); err != nil || st.Mode()&os.ModeSocket == 0 {
				return fmt.Errorf("not a socket: %v", err)
			}
			return nil
		}())
	}
	check("[launch] libcurl is not loaded by a launch that makes no API call", func() error {
		p, err := start(bin, nil, baseEnv("TF_PLUGIN_MAGIC_COOKIE="+cookie, "PLUGIN_PROTOCOL_VERSIONS=6"))
		if err != nil {
			return err
		}
		defer p.kill()
		maps, err := ioutil.ReadFile(fmt.Sprintf("/proc/%d/maps", p.cmd.Process.Pid))
		if err != nil {
			return err
		}
		if strings.Contains(string(maps), "libcurl") {
			return errors.New("libcurl is mapped at startup")
		}
		return nil
	}())
	check("[launch] SIGINT is ignored; SIGTERM stops and cleans up", func() error {
		p, err := start(bin, nil, baseEnv("TF_PLUGIN_MAGIC_COOKIE="+cookie, "PLUGIN_PROTOCOL_VERSIONS=6"))
		if err != nil {
			return err
		}
		defer p.kill()
		h, err := parseHandshake(p.first)
		if err != nil {
			return err
		}
		p.cmd.Process.Signal(syscall.SIGINT)
		if _, err := p.wait(300 * time.Millisecond); err == nil {
			return errors.New("exited on SIGINT")
		}
		conn, err := dialH2C(h.fields[3])
		if err != nil {
			return err
		}
		ctx, cancel := ctxT(5 * time.Second)
		defer cancel()
		_, err = invoke(ctx, conn, "/tfplugin6.Provider/GetProviderSchema", nil)
		if err != nil {
			conn.Close()
			return fmt.Errorf("after SIGINT: %v", err)
		}
		p.cmd.Process.Signal(syscall.SIGTERM)
		code, err := p.wait(3 * time.Second)
		conn.Close()
		if err != nil || code != 0 {
			return fmt.Errorf("after SIGTERM: code %d, %v", code, err)
		}
		if _, err := os.Stat(h.fields[3]); !os.IsNotExist(err) {
			return errors.New("socket left behind")
		}
		return sanitizerClean(p.stderr.String())
	}())
	check("[launch] SIGTERM sent the instant the handshake line is read always stops it (20 launches)", func() error {
		for i := 0; i < 20; i++ {
			p, err := start(bin, nil, baseEnv("TF_PLUGIN_MAGIC_COOKIE="+cookie, "PLUGIN_PROTOCOL_VERSIONS=6",
				"TF_LOG_PROVIDER=trace"))
			if err != nil {
				return err
			}
			p.cmd.Process.Signal(syscall.SIGTERM)
			if _, err := p.wait(3 * time.Second); err != nil {
				p.kill()
				return fmt.Errorf("launch %d: still running 3 s after SIGTERM: %v", i, err)
			}
		}
		return nil
	}())
	check("[launch] -debug: TF_REATTACH_PROVIDERS JSON, survives its clients, SIGTERM ends it", debugCheck(bin))
	check("[launch] a crash writes a 'fatal error:' line on stderr and dies of the signal", func() error {
		p, err := start(bin, nil, baseEnv("TF_PLUGIN_MAGIC_COOKIE="+cookie, "PLUGIN_PROTOCOL_VERSIONS=6"))
		if err != nil {
			return err
		}
		defer p.kill()
		p.cmd.Process.Signal(syscall.SIGSEGV)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			return errors.New("still running after SIGSEGV")
		}
		st, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
		if !ok || !st.Signaled() || st.Signal() != syscall.SIGSEGV {
			return fmt.Errorf("exit state %v", p.cmd.ProcessState)
		}
		if !strings.Contains(p.stderr.String(), "fatal error: terraform-provider-scaleway crashed: SIGSEGV") {
			return fmt.Errorf("stderr %q", p.stderr.String())
		}
		return nil
	}())
	check("[launch] logs: hclog JSON on stderr, TF_LOG_PROVIDER over TF_LOG", func() error {
		for _, c := range []struct {
			env       []string
			wantDebug bool
		}{
			{[]string{"TF_LOG_PROVIDER=debug", "TF_LOG=off"}, true},
			{[]string{"TF_LOG=trace"}, true},
			{[]string{"TF_LOG_PROVIDER=error", "TF_LOG=trace"}, false},
			{nil, false},
		} {
			env := []string{}
			for _, e := range baseEnv("TF_PLUGIN_MAGIC_COOKIE="+cookie, "PLUGIN_PROTOCOL_VERSIONS=6") {
				if !strings.HasPrefix(e, "TF_LOG") {
					env = append(env, e)
				}
			}
			p, err := start(bin, nil, append(env, c.env...))
			if err != nil {
				return err
			}
			p.cmd.Process.Signal(syscall.SIGTERM)
			if _, err := p.wait(3 * time.Second); err != nil {
				p.kill()
				return fmt.Errorf("%v: SIGTERM right after the handshake line did not stop the provider: %v", c.env, err)
			}
			se := p.stderr.String()
			got := false
			for _, l := range strings.Split(se, "\n") {
				if l == "" {
					continue
				}
				var m map[string]interface{}
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					return fmt.Errorf("%v: non-JSON stderr line %q", c.env, l)
				}
				lv, _ := m["@level"].(string)
				msg, _ := m["@message"].(string)
				ts, _ := m["@timestamp"].(string)
				if lv == "" || msg == "" || len(ts) != len("2006-01-02T15:04:05.000000Z") {
					return fmt.Errorf("%v: not an hclog line %q", c.env, l)
				}
				if lv == "debug" && strings.Contains(msg, "plugin server listening") {
					got = true
				}
			}
			if got != c.wantDebug {
				return fmt.Errorf("%v: debug line present=%v, want %v; stderr %q", c.env, got, c.wantDebug, se)
			}
		}
		return nil
	}())
}

func debugCheck(bin string) error {
	cmd := exec.Command(bin, "-debug")
	cmd.Env = baseEnv()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer cmd.Process.Kill()
	lines := make(chan string, 16)
	go func() {
		r := bufio.NewReader(out)
		for {
			l, err := r.ReadString('\n')
			if l != "" {
				lines <- l
			}
			if err != nil {
				close(lines)
				return
			}
		}
	}()
	var js string
	timeout := time.After(5 * time.Second)
wait:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				break wait
			}
			if i := strings.Index(l, "TF_REATTACH_PROVIDERS='"); i >= 0 {
				js = strings.TrimSuffix(strings.TrimSpace(l[i+len("TF_REATTACH_PROVIDERS='"):]), "'")
				break wait
			}
		case <-timeout:
			break wait
		}
	}
	var m map[string]struct {
		Protocol        string
		ProtocolVersion int
		Pid             int
		Test            bool
		Addr            struct{ Network, String string }
	}
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		return fmt.Errorf("reattach JSON %q: %v", js, err)
	}
	e, ok := m["registry.terraform.io/scaleway/scaleway"]
	if !ok || e.Protocol != "grpc" || e.ProtocolVersion != 6 || !e.Test || e.Pid != cmd.Process.Pid || e.Addr.Network != "unix" {
		return fmt.Errorf("reattach JSON %q", js)
	}
	for i := 0; i < 2; i++ {
		conn, err := dialH2C(e.Addr.String)
		if err != nil {
			return err
		}
		ctx, cancel := ctxT(5 * time.Second)
		_, err = invoke(ctx, conn, "/tfplugin6.Provider/GetProviderSchema", nil)
		cancel()
		conn.Close()
		if err != nil {
			return fmt.Errorf("debug call %d: %v", i, err)
		}
		time.Sleep(100 * time.Millisecond)
		select {
		case err := <-done:
			return fmt.Errorf("debug provider exited after its client left: %v", err)
		default:
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(3 * time.Second):
		return errors.New("still running 3 s after SIGTERM")
	}
	if _, err := os.Stat(e.Addr.String); !os.IsNotExist(err) {
		return errors.New("socket left behind")
	}
	return nil
}

func dialH2C(path string) (*grpc.ClientConn, error) {
	return grpc.Dial("unused", grpc.WithInsecure(), grpc.WithBlock(),
		grpc.WithDialer(func(string, time.Duration) (net.Conn, error) { return net.Dial("unix", path) }),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(1<<30), grpc.MaxCallSendMsgSize(1<<30)))
}

// ---- the gRPC layer alone (grpc-test-server) ----

func serverSuite(bin string) {
	cmd := exec.Command(bin)
	cmd.Env = baseEnv()
	se := &syncBuf{}
	cmd.Stderr = se
	out, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		check("start grpc-test-server", err)
		return
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer cmd.Process.Kill()
	path, _ := bufio.NewReader(out).ReadString('\n')
	path = strings.TrimSpace(path)
	ctx0, cancel0 := ctxT(5 * time.Second)
	conn, err := grpc.DialContext(ctx0, "unused", grpc.WithInsecure(), grpc.WithBlock(),
		grpc.WithDialer(func(string, time.Duration) (net.Conn, error) { return net.Dial("unix", path) }),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(1<<30), grpc.MaxCallSendMsgSize(1<<30)))
	cancel0()
	check("[grpc] h2c connection to grpc-test-server", err)
	if err != nil {
		return
	}
	defer conn.Close()
	call := func(method string, req []byte, d time.Duration) ([]byte, error) {
		ctx, cancel := ctxT(d)
		defer cancel()
		return invoke(ctx, conn, method, req)
	}
	check("[grpc] unary echo, small and empty messages", func() error {
		for _, m := range [][]byte{[]byte("hello"), {}} {
			resp, err := call("/test.T/Echo", m, 5*time.Second)
			if err != nil {
				return err
			}
			if !bytes.Equal(resp, m) {
				return fmt.Errorf("echo %q -> %q", m, resp)
			}
		}
		return nil
	}())
	check("[grpc] 6 MiB request echoed back intact (flow control both ways)", func() error {
		m := make([]byte, 6<<20)
		rand.Read(m)
		resp, err := call("/test.T/Echo", m, 20*time.Second)
		if err != nil {
			return err
		}
		if !bytes.Equal(resp, m) {
			return fmt.Errorf("echo differs (%d bytes back)", len(resp))
		}
		return nil
	}())
	check("[grpc] 20 MiB response", func() error {
		resp, err := call("/test.T/Big", []byte("20971520"), 20*time.Second)
		if err != nil {
			return err
		}
		if len(resp) != 20<<20 || resp[0] != 'a' || resp[len(resp)-1] != byte('a'+(20<<20-1)%26) {
			return fmt.Errorf("got %d bytes", len(resp))
		}
		return nil
	}())
	capChecks(call)
	check("[grpc] request over the 8 MiB cap is RESOURCE_EXHAUSTED", func() error {
		_, err := call("/test.T/Echo", make([]byte, 9<<20), 20*time.Second)
		if status.Code(err) != codes.ResourceExhausted {
			return fmt.Errorf("got %v", err)
		}
		_, err = call("/test.T/Echo", []byte("still fine"), 5*time.Second)
		return err
	}())
	check("[grpc] status and percent-encoded message round-trip", func() error {
		msg := "100% wrong: ünïcödé\ttab | pipe"
		_, err := call("/test.T/Fail", []byte("9 "+msg), 5*time.Second)
		st, _ := status.FromError(err)
		if st.Code() != codes.FailedPrecondition || st.Message() != msg {
			return fmt.Errorf("got %v / %q", st.Code(), st.Message())
		}
		return nil
	}())
	check("[grpc] unknown method is UNIMPLEMENTED (Trailers-Only)", func() error {
		_, err := call("/test.T/Nope", nil, 5*time.Second)
		if status.Code(err) != codes.Unimplemented {
			return fmt.Errorf("got %v", err)
		}
		return nil
	}())
	stream := func(req string, d time.Duration) ([][]byte, error) {
		ctx, cancel := ctxT(d)
		defer cancel()
		st, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, "/test.T/Stream", grpc.ForceCodec(rawCodec{}))
		if err != nil {
			return nil, err
		}
		r := []byte(req)
		if err := st.SendMsg(&r); err != nil {
			return nil, err
		}
		st.CloseSend()
		var msgs [][]byte
		for {
			var m []byte
			if err := st.RecvMsg(&m); err == io.EOF {
				return msgs, nil
			} else if err != nil {
				return msgs, err
			}
			msgs = append(msgs, m)
		}
	}
	check("[grpc] server stream: 2000 messages in order", func() error {
		msgs, err := stream("2000 64", 20*time.Second)
		if err != nil {
			return err
		}
		if len(msgs) != 2000 {
			return fmt.Errorf("%d messages", len(msgs))
		}
		for i, m := range msgs {
			if string(m[:8]) != fmt.Sprintf("%08d", i) || len(m) != 64 {
				return fmt.Errorf("message %d: %q", i, m[:8])
			}
		}
		return nil
	}())
	check("[grpc] server stream: 6 messages of 3 MiB (back-pressure, messages across DATA frames)", func() error {
		msgs, err := stream("6 3145728", 30*time.Second)
		if err != nil {
			return err
		}
		if len(msgs) != 6 {
			return fmt.Errorf("%d messages", len(msgs))
		}
		for i, m := range msgs {
			if len(m) != 3<<20 || string(m[:8]) != fmt.Sprintf("%08d", i) {
				return fmt.Errorf("message %d: %d bytes", i, len(m))
			}
		}
		return nil
	}())
	check("[grpc] server stream ending in an error status after two messages", func() error {
		ctx, cancel := ctxT(5 * time.Second)
		defer cancel()
		st, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, "/test.T/StreamFail", grpc.ForceCodec(rawCodec{}))
		if err != nil {
			return err
		}
		r := []byte{}
		st.SendMsg(&r)
		st.CloseSend()
		n := 0
		for {
			var m []byte
			err := st.RecvMsg(&m)
			if err != nil {
				s, _ := status.FromError(err)
				if n != 2 || s.Code() != codes.FailedPrecondition || s.Message() != "stopped after two" {
					return fmt.Errorf("after %d messages: %v", n, err)
				}
				return nil
			}
			n++
		}
	}())
	check("[grpc] 20 calls of 300 ms run concurrently (worker pool)", func() error {
		t0 := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := call("/test.T/Delay", []byte("300"), 10*time.Second)
				if err != nil || string(resp) != "done" {
					errs <- fmt.Errorf("%q %v", resp, err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			return e
		}
		if el := time.Since(t0); el > 2*time.Second {
			return fmt.Errorf("took %s: calls were serialised", el)
		}
		return nil
	}())
	check("[grpc] client cancel (RST_STREAM) sets the handler's cancel flag; others unaffected", func() error {
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() {
			_, err := invoke(ctx, conn, "/test.T/Hang", nil)
			errc <- err
		}()
		// A call running next to the cancelled one must complete normally.
		side := make(chan error, 1)
		go func() {
			resp, err := call("/test.T/Delay", []byte("400"), 5*time.Second)
			if err == nil && string(resp) != "done" {
				err = fmt.Errorf("side call got %q", resp)
			}
			side <- err
		}()
		time.Sleep(200 * time.Millisecond)
		cancel()
		if err := <-errc; status.Code(err) != codes.Canceled {
			return fmt.Errorf("cancelled call: %v", err)
		}
		deadline := time.Now().Add(2 * time.Second)
		for {
			resp, err := call("/test.T/Stats", nil, 5*time.Second)
			if err != nil {
				return err
			}
			if string(resp) == "cancelled=1" {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("server stats %q", resp)
			}
			time.Sleep(20 * time.Millisecond)
		}
		return <-side
	}())
	check("[grpc] a stream held open (HOLD) survives while unary calls go on", func() error {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		st, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, "/test.T/Hold", grpc.ForceCodec(rawCodec{}))
		if err != nil {
			return err
		}
		m := []byte("knock")
		if err := st.SendMsg(&m); err != nil {
			return err
		}
		if _, err := st.Header(); err != nil {
			return fmt.Errorf("no response headers: %v", err)
		}
		if _, err := call("/test.T/Echo", []byte("x"), 5*time.Second); err != nil {
			return err
		}
		return nil
	}())
	check("[grpc] Quit (STOP_AFTER) replies, then the server exits 0", func() error {
		if _, err := call("/test.T/Quit", nil, 5*time.Second); err != nil {
			return err
		}
		select {
		case err := <-done:
			if err != nil {
				return err
			}
			return sanitizerClean(se.String())
		case <-time.After(3 * time.Second):
			return errors.New("still running")
		}
	}())
}

func main() {
	provider := flag.String("provider", "", "terraform-provider-scaleway binary")
	server := flag.String("server", "", "grpc-test-server binary")
	flag.Parse()
	if *provider != "" {
		launchSuite(*provider)
		tlsSuite(*provider)
		providerSuite(*provider, false)
		providerSuite(*provider, true)
	}
	if *server != "" {
		serverSuite(*server)
	}
	fmt.Printf("1..%d\n", testN)
	if failed > 0 {
		os.Exit(1)
	}
}
