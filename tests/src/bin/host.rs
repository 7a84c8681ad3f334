//! The Spin-compatible host, as a binary of this package so that the tests
//! find it through `CARGO_BIN_EXE_gridgov-test-host`.

fn main() -> anyhow::Result<()> {
    spin_host::cli::main()
}
