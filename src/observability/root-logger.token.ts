/** The root pino logger the app was created with. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
