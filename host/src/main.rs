fn main() -> anyhow::Result<()> {
    spin_host::cli::main()
}
