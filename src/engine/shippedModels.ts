/** The models the app ships under public/models/, and the default one (app and command line). */
export const DEFAULT_MODEL = 'tiny-tasks-llama';
