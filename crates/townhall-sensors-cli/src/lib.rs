//! Sensors on the command line, `townhall sensors device …`: registering a
//! device (a bin tag at a home, or a litter bin, air-quality or noise
//! monitor at a point), listing them, showing one with its latest readings,
//! and removing them.

mod run;

use std::path::PathBuf;

use clap::{Args as _, FromArgMatches, Subcommand};
use townhall_cli::{Commands, Running, StoreArgs};
use townhall_kernel::Platform;

/// `townhall sensors`, as the binary lists it.
pub const COMMANDS: Commands = Commands {
    under: None,
    command,
    run,
};

fn command() -> clap::Command {
    Sensors::augment_args(
        clap::Command::new("sensors")
            .about("The council's sensors: its device registry")
            .subcommand_required(true)
            .arg_required_else_help(true),
    )
}

fn run<'a>(matches: &'a clap::ArgMatches, platform: &'a Platform) -> Running<'a> {
    Box::pin(async move {
        let sensors = Sensors::from_arg_matches(matches)?;
        run::sensors(sensors, platform).await
    })
}

/// The council's sensors.
#[derive(clap::Args)]
struct Sensors {
    #[command(flatten)]
    store: StoreArgs,
    /// The council's short name (defaults to the only council).
    #[arg(long, global = true)]
    council: Option<String>,
    #[command(subcommand)]
    command: SensorsCommand,
}

#[derive(Subcommand)]
enum SensorsCommand {
    /// The device registry.
    #[command(subcommand)]
    Device(DeviceCommand),
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// Register a device: its readings are taken from then on.
    Add {
        /// Its id: the SenML name its readings start with, less the final
        /// `:`, e.g. `urn:dev:litter-bin:RV-07`.
        #[arg(long)]
        id: String,
        /// bin-tag, litter-bin, air-quality or noise.
        #[arg(long)]
        kind: String,
        /// How staff know it, e.g. "Litter bin, Market Square".
        #[arg(long)]
        label: String,
        /// Who owns it, e.g. "Waste and Recycling".
        #[arg(long)]
        owner: String,
        /// A bin tag's home, by UPRN.
        #[arg(long, requires = "container")]
        uprn: Option<String>,
        /// A bin tag's container, as waste.toml names it (e.g. general).
        #[arg(long, requires = "uprn")]
        container: Option<String>,
        /// Anything else's latitude (WGS84).
        #[arg(long, requires = "longitude", allow_negative_numbers = true)]
        latitude: Option<f64>,
        /// Anything else's longitude (WGS84).
        #[arg(long, requires = "latitude", allow_negative_numbers = true)]
        longitude: Option<f64>,
        /// A litter bin's own fill threshold, in percent.
        #[arg(long)]
        threshold: Option<u8>,
        /// The council's configuration directory, whose waste.toml names
        /// its containers.
        #[arg(long)]
        config_dir: Option<PathBuf>,
    },
    /// List the devices, of one kind or all.
    List {
        /// bin-tag, litter-bin, air-quality or noise.
        #[arg(long)]
        kind: Option<String>,
    },
    /// Show a device and its latest readings (a bin tag's lifts).
    Show {
        /// Its id.
        id: String,
    },
    /// Remove a device, with everything it reported.
    Remove {
        /// Its id.
        id: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        sensors: Sensors,
    }

    #[test]
    fn a_point_takes_negative_longitudes_and_a_home_needs_its_container() {
        let cli = Cli::try_parse_from([
            "sensors",
            "device",
            "add",
            "--id",
            "lb-1",
            "--kind",
            "litter-bin",
            "--label",
            "Bin",
            "--owner",
            "Waste",
            "--latitude",
            "52.1",
            "--longitude",
            "-0.93",
        ])
        .unwrap();
        let SensorsCommand::Device(DeviceCommand::Add { longitude, .. }) = cli.sensors.command
        else {
            panic!("not add");
        };
        assert_eq!(longitude, Some(-0.93));
        assert!(Cli::try_parse_from([
            "sensors",
            "device",
            "add",
            "--id",
            "t-1",
            "--kind",
            "bin-tag",
            "--label",
            "Bin",
            "--owner",
            "Waste",
            "--uprn",
            "100000000001",
        ])
        .is_err());
    }
}
