//! The data-exchange hub on the command line, `townhall admin partner …`:
//! registering partners, their signing keys — added from a public key
//! the partner made, or made here with the private key printed once — and
//! their staff's accounts.

mod run;

use clap::{Args as _, FromArgMatches, Subcommand};
use townhall_cli::{Commands, Running, StoreArgs};
use townhall_kernel::Platform;

/// `townhall admin partner`, as the binary lists it.
pub const COMMANDS: Commands = Commands {
    under: Some("admin"),
    command,
    run,
};

fn command() -> clap::Command {
    Partner::augment_args(
        clap::Command::new("partner")
            .about("Partners of the data-exchange hub and their signing keys")
            .subcommand_required(true)
            .arg_required_else_help(true),
    )
}

fn run<'a>(matches: &'a clap::ArgMatches, platform: &'a Platform) -> Running<'a> {
    Box::pin(async move {
        let partner = Partner::from_arg_matches(matches)?;
        run::partner(partner, platform).await
    })
}

/// Partners of the data-exchange hub and their signing keys.
#[derive(clap::Args)]
struct Partner {
    #[command(flatten)]
    store: StoreArgs,
    /// The council's short name (defaults to the only council).
    #[arg(long, global = true)]
    council: Option<String>,
    #[command(subcommand)]
    command: PartnerCommand,
}

#[derive(Subcommand)]
enum PartnerCommand {
    /// Register an organisation the council shares data with.
    Register {
        /// Its id, as agreements name it, e.g. `riverside-medical-centre`.
        #[arg(long)]
        id: String,
        /// Its name.
        #[arg(long)]
        name: String,
        /// gp_practice, nhs_trust, police, housing_association, school, charity or council.
        #[arg(long)]
        kind: String,
        /// Its organisation code, e.g. its NHS ODS code.
        #[arg(long)]
        code: Option<String>,
        /// Whom to contact about the exchange.
        #[arg(long)]
        contact: String,
        /// Its data protection officer's email address.
        #[arg(long)]
        dpo: String,
    },
    /// List the council's partners.
    List,
    /// Set the address the council's messages to a partner go to (https,
    /// or http on this machine).
    Webhook {
        /// The partner's id.
        #[arg(long)]
        partner: String,
        /// Its address, e.g. https://practice.example/townhall/messages.
        #[arg(long)]
        url: String,
        /// Send only messages of this record type (give it once for each);
        /// every type its agreements allow when left out.
        #[arg(long = "record-type")]
        record_types: Vec<String>,
    },
    /// The messages the hub could not deliver, and sending one again.
    DeadLetters {
        /// Send this one again (its id, as the list shows it).
        #[arg(long)]
        send_again: Option<String>,
    },
    /// A partner's signing keys (Ed25519).
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// A partner's staff, who sign in to the hub's partner pages.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Give a member of a partner's staff an account, with a role in their
    /// organisation; the password is read from TOWNHALL_NEW_PASSWORD or
    /// asked for.
    Add {
        /// The partner's id.
        #[arg(long)]
        partner: String,
        /// Their email address, which they sign in with.
        #[arg(long)]
        email: String,
        /// Their name.
        #[arg(long)]
        name: String,
        /// practitioner (finds people and reads what the agreements share)
        /// or manager (also sees everything the organisation asked).
        #[arg(long)]
        role: String,
    },
    /// Close a member of a partner's staff's account for good (they have
    /// left): their sessions end and they can no longer sign in.
    Remove {
        /// The partner's id.
        #[arg(long)]
        partner: String,
        /// Their email address.
        #[arg(long)]
        email: String,
    },
    /// Give a member of a partner's staff a new password (from
    /// TOWNHALL_NEW_PASSWORD or asked for), lifting any lock and signing
    /// them out everywhere.
    ResetPassword {
        /// The partner's id.
        #[arg(long)]
        partner: String,
        /// Their email address.
        #[arg(long)]
        email: String,
    },
    /// List a partner's staff.
    List {
        /// The partner's id.
        #[arg(long)]
        partner: String,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Make a key pair for a partner and print its private key, once: it is
    /// kept nowhere here.
    Create {
        /// The partner's id.
        #[arg(long)]
        partner: String,
        /// The key's id, which its signatures name, e.g. `rmc-2027`.
        #[arg(long)]
        key_id: String,
        /// From when it is accepted (RFC 3339; now if not given).
        #[arg(long)]
        valid_from: Option<String>,
        /// Until when it is accepted (RFC 3339).
        #[arg(long)]
        valid_until: Option<String>,
    },
    /// Add a public key the partner made (base64 of its 32 bytes).
    Add {
        /// The partner's id.
        #[arg(long)]
        partner: String,
        /// The key's id, which its signatures name.
        #[arg(long)]
        key_id: String,
        /// The Ed25519 public key, base64 of its 32 bytes.
        #[arg(long)]
        public_key: String,
        /// From when it is accepted (RFC 3339; now if not given).
        #[arg(long)]
        valid_from: Option<String>,
        /// Until when it is accepted (RFC 3339).
        #[arg(long)]
        valid_until: Option<String>,
    },
    /// List a partner's keys and when each is accepted.
    List {
        /// The partner's id.
        #[arg(long)]
        partner: String,
    },
    /// Stop accepting a key from a time (now if not given): add its
    /// successor first, so that the partner is never without one.
    Retire {
        /// The key's id.
        #[arg(long)]
        key_id: String,
        /// From when it is refused (RFC 3339).
        #[arg(long)]
        at: Option<String>,
    },
}
