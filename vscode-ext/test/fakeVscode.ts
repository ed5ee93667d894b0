// A stand-in for the parts of the `vscode` module that src/extension.ts uses,
// so its wiring can be tested under plain Node. Only what extension.ts calls is
// here; a call to anything else fails with a TypeError, which is what we want.

import Module = require('module');

export class DebugAdapterExecutable {
    constructor(
        public readonly command: string,
        public readonly args: string[] = [],
    ) {}
}

export class DebugAdapterServer {
    constructor(
        public readonly port: number,
        public readonly host?: string,
    ) {}
}

export interface FakeState {
    settings: Record<string, unknown>;
    errors: { message: string; items: string[] }[];
    /** What showErrorMessage answers (an item label, or undefined for dismissed). */
    errorAnswer: string | undefined;
    executed: { command: string; args: unknown[] }[];
    commands: Map<string, (...args: unknown[]) => unknown>;
    configProviders: Map<string, unknown>;
    factories: Map<string, unknown>;
    activeEditor: { document: { languageId: string; uri: { fsPath: string } } } | undefined;
    quickPickAnswer: ((items: unknown[]) => unknown) | undefined;
    quickPickItems: unknown[];
}

export const state: FakeState = {
    settings: {},
    errors: [],
    errorAnswer: undefined,
    executed: [],
    commands: new Map(),
    configProviders: new Map(),
    factories: new Map(),
    activeEditor: undefined,
    quickPickAnswer: undefined,
    quickPickItems: [],
};

export function reset(): void {
    state.settings = {};
    state.errors = [];
    state.errorAnswer = undefined;
    state.executed = [];
    state.activeEditor = undefined;
    state.quickPickAnswer = undefined;
    state.quickPickItems = [];
}

const disposable = { dispose() {} };

export const fake = {
    DebugAdapterExecutable,
    DebugAdapterServer,
    workspace: {
        getConfiguration(section: string) {
            return {
                get<T>(key: string, dflt: T): T {
                    const full = `${section}.${key}`;
                    return (full in state.settings ? state.settings[full] : dflt) as T;
                },
            };
        },
    },
    window: {
        get activeTextEditor() {
            return state.activeEditor;
        },
        async showErrorMessage(message: string, ...items: string[]) {
            state.errors.push({ message, items });
            return state.errorAnswer;
        },
        async showQuickPick(items: unknown[]) {
            state.quickPickItems = items;
            return state.quickPickAnswer ? state.quickPickAnswer(items) : undefined;
        },
    },
    commands: {
        registerCommand(command: string, fn: (...args: unknown[]) => unknown) {
            state.commands.set(command, fn);
            return disposable;
        },
        async executeCommand(command: string, ...args: unknown[]) {
            state.executed.push({ command, args });
        },
    },
    debug: {
        registerDebugConfigurationProvider(type: string, provider: unknown) {
            state.configProviders.set(type, provider);
            return disposable;
        },
        registerDebugAdapterDescriptorFactory(type: string, factory: unknown) {
            state.factories.set(type, factory);
            return disposable;
        },
    },
};

/** Makes require('vscode') return the fake from now on. */
export function install(): void {
    const m = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
    const original = m._load;
    m._load = function (request: string, ...rest: unknown[]) {
        if (request === 'vscode') {
            return fake;
        }
        return original.call(this, request, ...rest);
    };
}
