// Types for ensure-chromium.mjs (imported by playwright.config.ts).
export declare const CANDIDATES: readonly string[];
export declare const INSTALL_HINT: string;
export declare function findChromium(env?: Record<string, string | undefined>): string | null;
