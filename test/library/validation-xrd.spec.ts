/**
 * The same rules hold for a Machine applied by hand: the XRD synth writes, read back from the tree, refuses
 * what synth refuses (its schema with ajv, its CEL rules with synth's CEL), everywhere. The shared
 * conformance validator checks the same as the API server would; it is found as test/_conformance.ts finds
 * it (FABRIC_CONFORMANCE_DIR, which .ci/run sets); without it those tests fail when CI=true and are
 * skipped, saying so, elsewhere.
 */
import Ajv from 'ajv';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { StructuralSchema, ValidationRule } from '../../src/api/structural-schema';
import { machineSchema } from '../../src/api/machine-schema';
import { synthesize } from '../../src/synth/synthesize';
import { validateCelRules } from '../../src/validation/cel-validation';
import { validateAgainstSchema } from '../../src/validation/schema-validation';
import { toJsonSchema } from '../../src/validation/_to-json-schema';
import { ConformanceProblem, describeWithConformance, validateTree } from '../_conformance';
import { objectsOf, tempProject } from '../_helpers';
import { BAD_CASES, Doc, fullMachine, GOOD_CASES } from '../_validation-cases';

interface RuleSample {
  /** Where the rule reports (its node plus fieldPath). */
  readonly path: string;
  readonly bad: (m: Doc) => void;
  readonly good: (m: Doc) => void;
  /** The bad sample's message when the rule's messageExpression names its values (the API server's wording). */
  readonly expressed?: string;
}

const network = (value: Doc) => (m: Doc) => { m.spec.network = value; };

/** One failing and one passing Machine per CEL rule of the schema, keyed by the rule's message. */
const SAMPLES: Record<string, RuleSample> = {
  'metadata.name must be an RFC 1123 label (lowercase letters, digits and -), as it is the default hostname': {
    path: '', bad: (m) => { m.metadata.name = 'dns.01'; }, good: (m) => { m.metadata.name = 'dns-01'; },
  },
  'dhcp must not be true when a static ip is set': {
    path: 'spec.network.dhcp', bad: (m) => { m.spec.network.dhcp = true; }, good: network({ dhcp: true }),
  },
  'dhcp must not be true when an ipPool is set': {
    path: 'spec.network.dhcp', bad: network({ ipPool: 'lan', dhcp: true }), good: network({ ipPool: 'lan', ip: '10.0.1.10', gateway: '10.0.1.1' }),
  },
  'gateway is required when ip is set': {
    path: 'spec.network.gateway', bad: network({ ip: '10.0.1.10' }), good: network({ ip: '10.0.1.10', gateway: '10.0.1.1' }),
  },
  'gateway is only used with a static ip; set ip or remove gateway': {
    path: 'spec.network.gateway', bad: network({ gateway: '10.0.1.1' }), good: network({ dhcp: false }),
  },
  'ip must differ from gateway': {
    path: 'spec.network.ip', bad: network({ ip: '10.0.1.1', gateway: '10.0.1.1' }), good: network({ ip: '10.0.1.2', gateway: '10.0.1.1' }),
  },
  'gateway must lie inside ip/cidr': {
    path: 'spec.network.gateway', bad: network({ ip: '10.0.1.10', cidr: 24, gateway: '10.0.2.1' }), good: network({ ip: '10.0.1.10', cidr: 31, gateway: '10.0.2.1' }),
    expressed: 'gateway must lie inside 10.0.1.0/24, the subnet of ip 10.0.1.10',
  },
  'ip must not be the network address of its subnet': {
    path: 'spec.network.ip', bad: network({ ip: '10.0.1.0', cidr: 24, gateway: '10.0.1.1' }), good: network({ ip: '10.0.1.0', cidr: 31, gateway: '10.0.1.1' }),
  },
  'ip must not be the broadcast address of its subnet': {
    path: 'spec.network.ip', bad: network({ ip: '10.0.1.255', cidr: 24, gateway: '10.0.1.1' }), good: network({ ip: '10.0.1.255', cidr: 32, gateway: '10.0.1.1' }),
  },
  'must be at least 2048 (MiB) when nix.flakeRef is set: the VM evaluates its NixOS system with nixos-rebuild, which needs more than 1 GiB': {
    path: 'spec.memory.size', bad: (m) => { m.spec.memory.size = 1024; }, good: (m) => { m.spec.memory.size = 1024; delete m.spec.nix; },
  },
  'adminUser must not be root': {
    path: 'spec.bootstrap.adminUser', bad: (m) => { m.spec.bootstrap.adminUser = 'root'; }, good: (m) => { m.spec.bootstrap.adminUser = 'rootless'; },
  },
  "tag keys must use Proxmox's tag alphabet (a-z 0-9 _ . + -), start with a letter, digit or _, and have at most 63 characters": {
    path: 'spec.tags', bad: (m) => { m.spec.tags = { Env: 'x' }; }, good: (m) => { m.spec.tags = { '_a.b+c-d': 'x', ['k'.repeat(63)]: 'y' }; },
  },
};

/** Every CEL rule of the schema, wherever it sits. */
function rulesOf(schema: StructuralSchema): ValidationRule[] {
  return [
    ...(schema['x-kubernetes-validations'] ?? []),
    ...Object.values(schema.properties ?? {}).flatMap(rulesOf),
    ...(schema.items ? rulesOf(schema.items) : []),
    ...(schema.additionalProperties ? rulesOf(schema.additionalProperties) : []),
  ];
}

const RULES = rulesOf(machineSchema);
const ruleCases = RULES.map((rule) => [rule.message, rule] as const);

function sample(mutate: (m: Doc) => void): Doc {
  const machine = fullMachine();
  mutate(machine);
  return machine;
}

/** What synth prints after the field path: the rule's message, less a leading repeat of the field's name. */
function synthMessage(rule: ValidationRule, field: string): string {
  const name = field.split('.').pop()!;
  return rule.message.startsWith(`${name} `) ? rule.message.slice(name.length + 1) : rule.message;
}

describe('the CEL rules of the Machine schema', () => {
  test('every rule has a failing and a passing sample', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(RULES.map((r) => r.message).sort());
  });

  test.each(ruleCases)('synth refuses the failing sample: %s', (message, rule) => {
    const machine = sample(SAMPLES[message].bad);
    // The schema applies the defaults the rules rely on; only the root rule repeats a schema pattern.
    expect(validateAgainstSchema(machine).map((issue) => issue.path)).toEqual(SAMPLES[message].path === '' ? ['metadata.name'] : []);
    const issues = validateCelRules(machine);
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe(SAMPLES[message].path);
    expect(issues[0].message.startsWith(synthMessage({ ...rule, message: SAMPLES[message].expressed ?? rule.message }, SAMPLES[message].path))).toBe(true);
  });

  test.each(ruleCases)('synth accepts the passing sample: %s', (message) => {
    const machine = sample(SAMPLES[message].good);
    expect(validateAgainstSchema(machine)).toEqual([]);
    expect(validateCelRules(machine)).toEqual([]);
  });

  test('a rule that cannot be evaluated is a refusal, not a pass', () => {
    // Defaults are not applied here, so self.cidr is missing: the API server would fail the rule too.
    const machine = fullMachine();
    delete machine.spec.network.cidr;
    const issues = validateCelRules(machine);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((issue) => /\(the rule could not be evaluated: /.test(issue.message))).toBe(true);
  });
});

/** The fields of Kubernetes' ObjectMeta (k8s.io/apimachinery meta/v1 types.go): any other is pruned. */
const OBJECT_META = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
    'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields'].map((field) => [field, {}])),
};

describe('a Machine applied by hand, checked against the XRD synth wrote', () => {
  const project = tempProject({});
  const { files } = synthesize({ projectDir: project, dryRun: true });
  fs.rmSync(project, { recursive: true, force: true });
  const xrd = objectsOf(files).find((o) => o.kind === 'CompositeResourceDefinition')!;
  const written: StructuralSchema = xrd.spec.versions[0].schema.openAPIV3Schema;
  const validate = new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile({
    type: 'object',
    properties: { metadata: OBJECT_META, spec: toJsonSchema(written.properties!.spec) },
  });

  /** Where the XRD refuses `machine`: schema paths as synth names them, then the CEL rules' paths. */
  function refusals(machine: Doc): Array<{ path: string; message: string }> {
    const copy = structuredClone(machine);
    const found = validate(copy) ? [] : validate.errors!.map((error) => {
      const at = error.instancePath.slice(1).split('/').filter(Boolean).map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`)).join('').replace(/^\./, '');
      const child = (error.params as any).missingProperty ?? (error.params as any).additionalProperty;
      return { path: child ? `${at}.${child}` : at, message: error.message ?? '' };
    });
    return [...found, ...validateCelRules(copy, written).map(({ path: at, message }) => ({ path: at, message }))];
  }

  test.each(ruleCases)('the XRD refuses the failing sample at the rule\'s field: %s', (message) => {
    expect(refusals(sample(SAMPLES[message].bad)).map((r) => r.path)).toEqual([SAMPLES[message].path]);
  });

  test.each(BAD_CASES.filter((c) => c.xrdPath !== null).map((c) => [c.reason, c.xrdPath] as const))('the XRD refuses what synth refuses: %s', (reason, xrdPath) => {
    const bad = BAD_CASES.find((c) => c.reason === reason)!;
    expect(refusals(sample(bad.mutate)).map((r) => r.path)).toContain(xrdPath);
  });

  test.each(GOOD_CASES)('the XRD accepts what synth accepts: %s', (_reason, mutate) => {
    expect(refusals(sample(mutate))).toEqual([]);
  });
});

describeWithConformance('a Machine applied by hand, checked by the conformance validator against the synthesized XRD', () => {
  let workDir: string;
  let problems: readonly ConformanceProblem[] = [];
  const errorsIn = (file: string) => problems.filter((p) => p.level === 'error' && p.file === file);

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-xrd-'));
    const project = tempProject({});
    const tree = path.join(workDir, 'dist');
    synthesize({ projectDir: project, outDir: tree });
    fs.rmSync(project, { recursive: true, force: true });
    const samples = path.join(tree, 'cluster', 'samples');
    fs.mkdirSync(samples);
    // YAML 1.1 as kubectl reads it: a tag value `y` must stay a string.
    const write = (file: string, machine: Doc) => fs.writeFileSync(path.join(samples, file), YAML.stringify(machine, { version: '1.1' }));
    RULES.forEach((rule, i) => {
      write(`rule-${i}-bad.yaml`, sample(SAMPLES[rule.message].bad));
      write(`rule-${i}-good.yaml`, sample(SAMPLES[rule.message].good));
    });
    BAD_CASES.forEach((c, i) => write(`case-${i}-bad.yaml`, sample(c.mutate)));
    GOOD_CASES.forEach(([, mutate], i) => write(`case-${i}-good.yaml`, sample(mutate)));
    problems = validateTree(tree).problems;
  }, 60_000);

  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  test('the synthesized platform itself has no errors', () => {
    expect(problems.filter((p) => p.level === 'error' && !p.file.startsWith('cluster/samples/'))).toEqual([]);
  });

  // One test per table, each comparing the whole table, so a failure names every row that differs and a
  // machine without the validator skips five tests, not one per row.
  test('the XRD refuses every failing rule sample with the rule\'s message', () => {
    const found = Object.fromEntries(RULES.map((rule, i) => [rule.message, errorsIn(`cluster/samples/rule-${i}-bad.yaml`).map(({ code, path: field, message: text }) => ({ code, path: field, message: text }))]));
    const expected = Object.fromEntries(RULES.map((rule) => [rule.message, [{ code: 'cel-rule', path: SAMPLES[rule.message].path, message: `Invalid value: "object": ${SAMPLES[rule.message].expressed ?? rule.message}` }]]));
    expect(found).toEqual(expected);
  });

  test('the XRD accepts every passing rule sample', () => {
    expect(Object.fromEntries(RULES.map((rule, i) => [rule.message, errorsIn(`cluster/samples/rule-${i}-good.yaml`)]))).toEqual(Object.fromEntries(RULES.map((rule) => [rule.message, []])));
  });

  test('the XRD refuses what synth refuses, at the same field', () => {
    const cases = BAD_CASES.map((c, i) => [c, i] as const).filter(([c]) => c.xrdPath !== null);
    const refusedAt = Object.fromEntries(cases.map(([c, i]) => [c.reason, errorsIn(`cluster/samples/case-${i}-bad.yaml`).some((p) => p.path === c.xrdPath) ? c.xrdPath : errorsIn(`cluster/samples/case-${i}-bad.yaml`).map((p) => p.path)]));
    expect(refusedAt).toEqual(Object.fromEntries(cases.map(([c]) => [c.reason, c.xrdPath])));
  });

  test('the XRD accepts what synth accepts', () => {
    expect(Object.fromEntries(GOOD_CASES.map(([reason], i) => [reason, errorsIn(`cluster/samples/case-${i}-good.yaml`)]))).toEqual(Object.fromEntries(GOOD_CASES.map(([reason]) => [reason, []])));
  });
});
