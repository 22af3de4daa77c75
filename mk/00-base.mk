# Base fragment: nothing yet beyond the discovered layers (binaries are added by component fragments).
