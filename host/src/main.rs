use clap::Parser;

fn main() -> anyhow::Result<()> {
    spin_host::cli::run(spin_host::cli::UpArgs::parse())
}
