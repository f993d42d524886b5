// The vendor's Ed25519 public key that licence keys are checked against. Its private half is
// kept by the vendor (tools/license.ts issue --key FILE) and is not in this repository.
export const VENDOR_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAVvdU9e6kEkdwqZof6syO3rz+jrV3UwjG+H/Na47haL8=
-----END PUBLIC KEY-----
`;
