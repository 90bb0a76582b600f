//! What `townhall sensors` does.

use std::process::ExitCode;

use anyhow::Context;
use townhall_cli::pick_council;
use townhall_kernel::Platform;
use townhall_places::{AreaKind, Boundaries};
use townhall_sensors::{device, readings, Kind, NewDevice, Place};
use townhall_waste::Collections;

use crate::{DeviceCommand, Sensors, SensorsCommand};

/// Runs `townhall sensors`.
pub(crate) async fn sensors(sensors: Sensors, platform: &Platform) -> anyhow::Result<ExitCode> {
    let store = townhall_cli::open(&sensors.store, platform).await?;
    let council = pick_council(&store, sensors.council.as_deref()).await?;
    let SensorsCommand::Device(command) = sensors.command;
    match command {
        DeviceCommand::Add {
            id,
            kind,
            label,
            owner,
            uprn,
            container,
            latitude,
            longitude,
            threshold,
            config_dir,
        } => {
            let kind: Kind = kind.parse()?;
            let boundaries = Boundaries::load(&store, council.id).await?;
            let collections = match config_dir {
                Some(dir) => {
                    let path = dir.join("waste.toml");
                    let wards: Vec<&str> = boundaries
                        .of_kind(AreaKind::Ward)
                        .map(|w| w.code.as_str())
                        .collect();
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    Collections::parse(&path.display().to_string(), &text, &wards)?
                }
                None if kind == Kind::BinTag => anyhow::bail!(
                    "a bin tag is on one of the council's containers: give --config-dir, the directory whose waste.toml names them"
                ),
                None => Collections::default(),
            };
            let new = NewDevice {
                id,
                kind,
                label,
                owner,
                home: uprn.zip(container),
                point: latitude.zip(longitude),
                threshold,
            };
            let d = device::register(&store, council.id, (&boundaries, &collections), new).await?;
            println!(
                "Registered {} ({}) for {}",
                d.id,
                d.kind.label().to_lowercase(),
                council.name
            );
        }
        DeviceCommand::List { kind } => {
            let kind = kind.map(|k| k.parse::<Kind>()).transpose()?;
            for d in device::list(&store, council.id, kind).await? {
                let place = match &d.place {
                    Place::Home { uprn, container } => format!("UPRN {uprn}, {container}"),
                    Place::Point => format!("{:.5}, {:.5}", d.latitude, d.longitude),
                };
                println!("{}\t{}\t{}\t{}\t{}", d.id, d.kind, d.label, place, d.owner);
            }
        }
        DeviceCommand::Show { id } => {
            let d = device::get(&store, council.id, &id)
                .await?
                .with_context(|| format!("there is no device '{id}'"))?;
            println!("{}\t{}\t{}\t{}", d.id, d.kind, d.label, d.owner);
            if d.kind == Kind::BinTag {
                for l in readings::lifts_of(&store, council.id, &d.id, 20).await? {
                    let round = l.round.as_deref().unwrap_or("no round");
                    println!("{}\t{}\t{round}", l.at.to_db(), l.outcome.as_str());
                }
            } else {
                for r in readings::of_device(&store, council.id, &d.id, 20).await? {
                    println!(
                        "{}\t{}\t{} {}",
                        r.at.to_db(),
                        r.measurement,
                        r.value,
                        r.unit
                    );
                }
            }
        }
        DeviceCommand::Remove { id } => {
            device::remove(&store, council.id, &id).await?;
            println!("Removed {id} and its readings");
        }
    }
    Ok(ExitCode::SUCCESS)
}
