/** One Windows branch that names no page. */
export interface UncitedBranch {
  /** 1-based line number. */
  line: number;
  /** The line, trimmed. */
  text: string;
}
export function uncitedBranches(text: string): UncitedBranch[];
export function uncitedInSuite(root: string): Array<UncitedBranch & { file: string }>;
