/** Injection token for the API's validated configuration. */
export const API_CONFIG = Symbol('API_CONFIG');
