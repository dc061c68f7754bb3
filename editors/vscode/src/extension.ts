// promptguard for VS Code and Cursor: a thin client of `promptguard lsp`.
// All scanning, policy and fixes live in the language server; this file
// only finds the server, says which documents it sees, and restarts it
// when the settings change.
import * as vscode from "vscode";
import {
  DocumentSelector,
  Executable,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export interface ServerCommand {
  command: string;
  args: string[];
}

/** The server command: promptguard.path, an interpreter's `-m promptguard`, or PATH. */
export function serverCommand(config: vscode.WorkspaceConfiguration,
                              pythonConfig: vscode.WorkspaceConfiguration): ServerCommand {
  const extra = config.get<string[]>("extraArgs", []);
  const debounce = config.get<number>("debounceMs", 150);
  const lspArgs = ["lsp", "--debounce-ms", String(Math.max(0, Math.round(debounce))), ...extra];
  const path = config.get<string>("path", "").trim();
  if (path) {
    return { command: path, args: lspArgs };
  }
  const interpreter = config.get<string>("interpreter", "").trim()
    || pythonConfig.get<string>("defaultInterpreterPath", "").trim();
  if (interpreter && interpreter !== "python") {
    return { command: interpreter, args: ["-m", "promptguard", ...lspArgs] };
  }
  return { command: "promptguard", args: lspArgs };
}

/** Which documents the server sees: the configured languages and file patterns. */
export function documentSelector(config: vscode.WorkspaceConfiguration): DocumentSelector {
  const languages = config.get<string[]>("fileTypes", []);
  const patterns = config.get<string[]>("filePatterns", []);
  return [
    ...languages.map((language) => ({ language })),
    ...patterns.map((pattern) => ({ pattern })),
  ];
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration("promptguard");
  if (!config.get<boolean>("enable", true)) {
    return;
  }
  const { command, args } = serverCommand(config, vscode.workspace.getConfiguration("python"));
  // The server speaks stdio; languageclient adds --stdio, which it accepts.
  const run: Executable = { command, args, transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(config),
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher(
        "**/{.promptguard.toml,pyproject.toml,.promptguard-baseline.json,.secrets.baseline}"),
    },
  };
  client = new LanguageClient("promptguard", "promptguard", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    client = undefined;
    void vscode.window.showErrorMessage(
      `promptguard: could not start \`${command} ${args.join(" ")}\`: install promptguard[lsp] ` +
      "or set promptguard.path / promptguard.interpreter.");
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  if (client) {
    const old = client;
    client = undefined;
    await old.stop();
  }
  await start(context);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("promptguard.restart", () => restart(context)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("promptguard")) {
        void restart(context);
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
  }
}
