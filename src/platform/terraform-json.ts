/**
 * Types for Terraform's JSON configuration syntax, just as much as the Proxmox module uses.
 * In this syntax a string value is a template: `${...}` holds an expression.
 *
 * @see https://developer.hashicorp.com/terraform/language/syntax/json
 */

/** A string template or a literal. */
export type Expr = string | number | boolean | null | readonly Expr[] | { readonly [key: string]: Expr };

/** `${expression}` as a JSON template string. */
export const expr = (expression: string): string => `\${${expression}}`;

export interface VariableBlock {
  readonly type: string;
  readonly description?: string;
  readonly default?: Expr;
  readonly nullable?: boolean;
}

export interface OutputBlock {
  readonly value: Expr;
  readonly description?: string;
}

/** A `dynamic "name" { for_each, content }` block. */
export interface DynamicBlock<T> {
  readonly for_each: Expr;
  readonly content: T;
}

export interface TerraformJson {
  readonly terraform: {
    readonly required_version: string;
    readonly required_providers: Record<string, { readonly source: string; readonly version: string }>;
  };
  readonly variable: Record<string, VariableBlock>;
  readonly provider: Record<string, Record<string, Expr>>;
  readonly locals: Record<string, Expr>;
  readonly resource: Record<string, Record<string, unknown>>;
  readonly output: Record<string, OutputBlock>;
}
