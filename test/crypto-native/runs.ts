// How many fast-check cases the differential tests run: fewer under qemu-user (test/arm64/),
// where every case costs an emulated reference implementation.
export const propertyRuns = Number(process.env.PPTP_CRYPTO_TEST_RUNS ?? '200');
