// Types for check-lockfile.mjs (imported by its test).
export declare function summarise(npmOutput: string): string | null;
export declare function checkLockfile(dir?: string): { ok: true } | { ok: false; message: string };
