/**
 * CEL's `string.format(list)` from the strings extension, which Kubernetes gives CRD rules (ext.Strings at
 * version 2 from 1.29 on: k8s.io/apiserver v0.34.4 pkg/cel/environment/base.go:126-131) and cel-js lacks.
 *
 * A messageExpression that builds its text with `format` has a bounded estimated cost where `+` on a
 * `string(...)` conversion has none: the API server's cost estimator knows no size for a conversion's result,
 * so concatenating one is estimated at the largest string there is (cel-go checker/cost.go, AddString), while
 * `format` costs its format string's length plus its arguments (ExtFormatString).
 *
 * Only the clauses Fabric's rules use: `%s` (a string, an integer or a boolean, as cel-go prints them),
 * `%d` (an integer) and `%%`; any other clause is an evaluation error, so a rule using one fails synth's
 * check loudly instead of printing something the API server would not.
 */
import { Environment } from '@marcbachmann/cel-js';

function formatted(template: string, args: readonly unknown[]): string {
  let next = 0;
  const argument = (clause: string) => {
    if (next >= args.length) throw new Error(`index ${next} out of range`);
    const value = args[next++];
    if (clause === 'd') {
      if (typeof value !== 'bigint') throw new Error(`error during formatting: decimal clause can only be used on integers, was given ${typeof value}`);
      return value.toString();
    }
    if (typeof value === 'string' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
    throw new Error(`error during formatting: string clause can only be used on strings, integers and booleans here, was given ${typeof value}`);
  };
  return template.replace(/%(.)/gs, (_, clause: string) => {
    if (clause === '%') return '%';
    if (clause === 's' || clause === 'd') return argument(clause);
    throw new Error(`unrecognized formatting clause "${clause}"`);
  });
}

export function withStringFormat(environment: Environment): Environment {
  return environment.registerFunction('string.format(list): string', (template: string, args: unknown[]) => formatted(template, args));
}
