// Types of product-exports.mjs, for the tests that read it.
import type { NativeBinding } from '../binding.js';

/** The product addon's exports, sorted: each a function of NativeBinding. */
export const PRODUCT_EXPORTS: ReadonlyArray<keyof NativeBinding>;
