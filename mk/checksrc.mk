# checksrc: the source rules (scripts/checksrc: layout, banned calls, compat.h, layer order, constant-time
# comparison of secrets, file size). make check runs it as tests/suites/05-checksrc, which also proves
# that it fails on a planted violation.
# mutate: replay one-line mutations of security- and correctness-critical lines and print the score
# (scripts/mutate; not part of make check).
.PHONY: checksrc mutate
checksrc:
	$(Q)scripts/checksrc

mutate: deps-check
	$(Q)scripts/mutate
