// The parsed form of a console script (the RouterOS scripting subset admins paste: :put,
// :local, :global, :set, :if, :foreach, :len, :tostr, :tonum, menu commands with $variables
// and [ ... ] substitutions). Positions are kept for error lines.

export type BinaryOp = '.' | '+' | '-' | '*' | '/' | '<' | '>' | '<=' | '>=' | '=' | '!=' | '&&' | '||';

export type Expr =
  | { readonly k: 'lit'; readonly value: string | number | boolean }
  /** "text with $var": literal pieces and variables, joined as strings. */
  | { readonly k: 'str'; readonly parts: readonly (string | Expr)[] }
  | { readonly k: 'var'; readonly name: string; readonly at: number }
  /** `[ statement ]`: the value the statement returns. */
  | { readonly k: 'sub'; readonly body: Stmt }
  | { readonly k: 'array'; readonly items: readonly Expr[] }
  | { readonly k: 'bin'; readonly op: BinaryOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'not'; readonly a: Expr }
  | { readonly k: 'neg'; readonly a: Expr };

/**
 * A menu command line as typed, with pieces to substitute: literal text stays as it is, an
 * expression becomes its value quoted for the console.
 */
export type CommandPart = string | Expr;

export type Stmt =
  | { readonly k: 'put'; readonly e: Expr | undefined }
  | { readonly k: 'local' | 'global'; readonly name: string; readonly e: Expr | undefined }
  | { readonly k: 'set'; readonly name: string; readonly e: Expr | undefined }
  | { readonly k: 'if'; readonly cond: Expr; readonly then: readonly Stmt[]; readonly else: readonly Stmt[] | undefined }
  | { readonly k: 'foreach'; readonly name: string; readonly list: Expr; readonly body: readonly Stmt[] }
  | { readonly k: 'len' | 'tostr' | 'tonum'; readonly e: Expr | undefined }
  /** A `( expr )` or other value on its own: `[($a + 1)]`. */
  | { readonly k: 'value'; readonly e: Expr }
  | { readonly k: 'menu'; readonly parts: readonly CommandPart[]; readonly at: number };
