/** skiff's own version, and the Kubernetes API version it serves. */
export const SKIFF_VERSION = '0.1.0';
export const KUBERNETES_COMPAT = 'v1.32';
