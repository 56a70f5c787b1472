// Job ids. Input: any usual spelling of a GUID ("{...}", "(...)", bare with
// hyphens, or 32 hex digits), in either case. Output: one spelling, braces and upper
// case, as StringFromGUID2 and bitsadmin print it, so ids can be copied between
// this package and Windows' own tools.
const HEX32 = /^[0-9a-f]{32}$/i;

/** Returns the canonical `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` spelling, or null. */
export function normalizeGuid(input: string): string | null {
  let s = input;
  if ((s.startsWith('{') && s.endsWith('}')) || (s.startsWith('(') && s.endsWith(')'))) s = s.slice(1, -1);
  let hex: string;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)) hex = s.replace(/-/g, '');
  else if (HEX32.test(s) && s === input) hex = s;
  else return null;
  const u = hex.toUpperCase();
  return `{${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}}`;
}
