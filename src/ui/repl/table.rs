//! The slash commands, as data: one variant each ([`Slash`]) and one table ([`COMMANDS`]) that
//! help, completion, parsing and dispatch all read.

/// The slash commands: one variant each, dispatched by one exhaustive `match`
/// (`Repl::dispatch`); the table [`COMMANDS`] gives each its name, arguments and help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slash {
    /// `/help`.
    Help,
    /// `/history`.
    History,
    /// `/window`.
    Window,
    /// `/tokens`.
    Tokens,
    /// `/cost`.
    Cost,
    /// `/summarize`.
    Summarize,
    /// `/system`.
    System,
    /// `/model`.
    Model,
    /// `/set`.
    Set,
    /// `/recreate`.
    Recreate,
    /// `/undo`.
    Undo,
    /// `/retry`.
    Retry,
    /// `/clear`.
    Clear,
    /// `/restore`.
    Restore,
    /// `/file`.
    File,
    /// `/run`.
    Run,
    /// `/copy`.
    Copy,
    /// `/exit`.
    Exit,
}

/// One slash command: its name, its arguments, and its help line.
pub struct SlashCommand {
    /// Typed as `/name`.
    pub name: &'static str,
    /// Which command it is, for dispatch.
    pub slash: Slash,
    /// Argument synopsis.
    pub args: &'static str,
    /// One line of help.
    pub help: &'static str,
}

/// Every slash command. Help, completion and dispatch all read this table.
pub const COMMANDS: &[SlashCommand] = &[
    SlashCommand {
        name: "help",
        slash: Slash::Help,
        args: "",
        help: "list these commands",
    },
    SlashCommand {
        name: "history",
        slash: Slash::History,
        args: "[N]",
        help: "show the last N turns (default 10)",
    },
    SlashCommand {
        name: "window",
        slash: Slash::Window,
        args: "",
        help: "what would be sent now, with the token estimate",
    },
    SlashCommand {
        name: "tokens",
        slash: Slash::Tokens,
        args: "",
        help: "token figures: last measured, estimated, and counted by the API",
    },
    SlashCommand {
        name: "cost",
        slash: Slash::Cost,
        args: "[TURNS]",
        help: "what this session and the context have cost, cache reads vs writes, and the cheapest settings keeping TURNS turns",
    },
    SlashCommand {
        name: "summarize",
        slash: Slash::Summarize,
        args: "",
        help: "fold all but the last 2 turns into the summary now",
    },
    SlashCommand {
        name: "system",
        slash: Slash::System,
        args: "[TEXT|-]",
        help: "show the system prompt, set it to TEXT, or remove it with -",
    },
    SlashCommand {
        name: "model",
        slash: Slash::Model,
        args: "[NAME]",
        help: "show the model, or switch to NAME",
    },
    SlashCommand {
        name: "set",
        slash: Slash::Set,
        args: "FLAG VALUE…",
        help: "change settings like `kubectl mcp set`: --max-tokens N, --history-size N, --strategy S, …",
    },
    SlashCommand {
        name: "recreate",
        slash: Slash::Recreate,
        args: "",
        help: "after the context was deleted: make it again, empty, with the same settings",
    },
    SlashCommand {
        name: "undo",
        slash: Slash::Undo,
        args: "",
        help: "take back the last turn (kept aside: /restore brings it back)",
    },
    SlashCommand {
        name: "retry",
        slash: Slash::Retry,
        args: "",
        help: "take back the last turn and ask its question again",
    },
    SlashCommand {
        name: "clear",
        slash: Slash::Clear,
        args: "",
        help: "start over: the whole conversation is moved aside (after confirmation; /restore brings it back)",
    },
    SlashCommand {
        name: "restore",
        slash: Slash::Restore,
        args: "",
        help: "bring back the turns /clear, /undo and /retry moved aside",
    },
    SlashCommand {
        name: "file",
        slash: Slash::File,
        args: "[PATH|--clear]",
        help: "attach a text file to the next message (no PATH: list attachments)",
    },
    SlashCommand {
        name: "run",
        slash: Slash::Run,
        args: "COMMAND",
        help: "run a shell command (after confirmation) and attach its output to the next message",
    },
    SlashCommand {
        name: "copy",
        slash: Slash::Copy,
        args: "",
        help: "copy the last answer to the clipboard (wl-copy, xclip, xsel or pbcopy)",
    },
    SlashCommand {
        name: "exit",
        slash: Slash::Exit,
        args: "",
        help: "leave the chat (Ctrl-D works too)",
    },
];
