// The product addon's exports: the one list. native/addon.cc defines them,
// binding.d.ts's NativeBinding types them, and every check of a build reads this
// list: scripts/release-check.mjs (the prebuild loads and exports each), and the
// integration tests that load the local build and the packed tarball's prebuild
// (exactly these, nothing test-only). A new export of addon.cc is one more name
// here, in sorted order.
export const PRODUCT_EXPORTS = Object.freeze(['availability', 'connect', 'setErrorClasses', 'setEventListener']);
