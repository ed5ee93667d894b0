// The ubpdbg VS Code extension: starts `ubpdbg dap` (or connects to a running
// `ubpdbg dap --listen` server) for debug sessions of type "ubpdbg". The
// adapter does all the debugging; this file only finds it, fills in and checks
// configurations, and offers a process picker for attach. Logic that does not
// need VS Code lives in config.ts and processes.ts.

import * as os from 'os';
import * as vscode from 'vscode';
import {
    DEBUG_TYPE,
    defaultLaunchForFile,
    parseServerAddress,
    platformProblem,
    resolveExecutable,
    ServerAddress,
    UbpdbgConfiguration,
    validateConfiguration,
    withDefaults,
} from './config';
import { listProcesses } from './processes';

export const PICK_PROCESS_COMMAND = 'ubpdbg.pickProcess';

/** What the debug adapter is: our own process to start, or a server to connect to. */
type AdapterChoice = { kind: 'executable'; path: string } | { kind: 'server'; address: ServerAddress };

/**
 * Reads the ubpdbg settings for a workspace folder and decides how to reach
 * the adapter, or returns the message that says why we cannot.
 */
export function chooseAdapter(
    folder: vscode.WorkspaceFolder | undefined,
): { ok: true; value: AdapterChoice } | { ok: false; message: string; setting?: string } {
    const settings = vscode.workspace.getConfiguration('ubpdbg', folder?.uri);
    const server = parseServerAddress(settings.get<string>('server', ''));
    if (!server.ok) {
        return { ok: false, message: server.message, setting: 'ubpdbg.server' };
    }
    if (server.value !== undefined) {
        return { ok: true, value: { kind: 'server', address: server.value } };
    }
    const platform = platformProblem(process.platform, process.arch);
    if (platform !== undefined) {
        return { ok: false, message: platform };
    }
    const exe = resolveExecutable(settings.get<string>('executablePath', 'ubpdbg'), {
        baseDir: folder?.uri.fsPath ?? os.homedir(),
    });
    if (!exe.ok) {
        return { ok: false, message: exe.message, setting: 'ubpdbg.executablePath' };
    }
    return { ok: true, value: { kind: 'executable', path: exe.value } };
}

const OPEN_SETTINGS = 'Open Settings';

async function showError(message: string, setting?: string): Promise<void> {
    const choice = setting ? await vscode.window.showErrorMessage(message, OPEN_SETTINGS) : await vscode.window.showErrorMessage(message);
    if (choice === OPEN_SETTINGS && setting) {
        await vscode.commands.executeCommand('workbench.action.openSettings', setting);
    }
}

export class UbpdbgConfigurationProvider implements vscode.DebugConfigurationProvider {
    /** Before variables are substituted: fill defaults; make a configuration from the active file if there is none. */
    resolveDebugConfiguration(
        folder: vscode.WorkspaceFolder | undefined,
        config: vscode.DebugConfiguration,
    ): vscode.ProviderResult<vscode.DebugConfiguration> {
        if (!config.type && !config.request && !config.name) {
            // F5 without a launch.json.
            const editor = vscode.window.activeTextEditor;
            const guess = editor ? defaultLaunchForFile(editor.document.languageId, editor.document.uri.fsPath) : undefined;
            if (guess === undefined) {
                void showError('ubpdbg: open a C, C++, Go or Rust file whose program is built with debug info, or create a launch.json with a "ubpdbg" configuration (Run > Add Configuration...).');
                return undefined;
            }
            return withDefaults(guess, folder?.uri.fsPath);
        }
        return withDefaults(config as UbpdbgConfiguration, folder?.uri.fsPath);
    }

    /** After variables are substituted: check the configuration and that the adapter can be reached; abort with a clear message if not. */
    async resolveDebugConfigurationWithSubstitutedVariables(
        folder: vscode.WorkspaceFolder | undefined,
        config: vscode.DebugConfiguration,
    ): Promise<vscode.DebugConfiguration | undefined> {
        const checked = validateConfiguration(config as UbpdbgConfiguration);
        if (!checked.ok) {
            void showError(checked.message);
            return undefined; // aborts the session
        }
        const adapter = chooseAdapter(folder);
        if (!adapter.ok) {
            void showError(adapter.message, adapter.setting);
            return undefined;
        }
        return checked.value;
    }
}

export class UbpdbgAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
    createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
        // The configuration provider has checked this already; check again in
        // case the settings changed in between, and fail with the same words.
        const adapter = chooseAdapter(session.workspaceFolder);
        if (!adapter.ok) {
            throw new Error(adapter.message);
        }
        if (adapter.value.kind === 'server') {
            return new vscode.DebugAdapterServer(adapter.value.address.port, adapter.value.address.host);
        }
        return new vscode.DebugAdapterExecutable(adapter.value.path, ['dap']);
    }
}

/** The "${command:pickProcess}" picker: returns the chosen pid as a string, or undefined (which cancels the attach). */
export async function pickProcess(): Promise<string | undefined> {
    const processes = listProcesses();
    const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
    const items = processes.map((p) => ({
        label: p.name,
        description: `${p.pid}${p.uid === uid || uid < 0 ? '' : ` (uid ${p.uid})`}`,
        detail: p.commandLine,
        pid: p.pid,
    }));
    const picked = await vscode.window.showQuickPick(items, {
        placeHolder: 'Pick the process to attach ubpdbg to (type to filter by name, pid or command line)',
        matchOnDescription: true,
        matchOnDetail: true,
    });
    return picked ? String(picked.pid) : undefined;
}

export function activate(context: vscode.ExtensionContext): void {
    context.subscriptions.push(
        vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new UbpdbgConfigurationProvider()),
        vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new UbpdbgAdapterFactory()),
        vscode.commands.registerCommand(PICK_PROCESS_COMMAND, pickProcess),
    );
}

export function deactivate(): void {
    // Nothing to clean up: VS Code stops the adapters it started.
}
