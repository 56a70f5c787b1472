// Types of test-certs.mjs, for its unit test.
export const OPENSSL_CONFIG: string;
export function makeTestCertificates(dir: string): string | null;
