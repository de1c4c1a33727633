// Command flux-health computes the health of Kubernetes objects as Flux's kustomize-controller v1.9.5 computes
// it for `wait: true` / `healthChecks`, including the CEL expressions of a Kustomization's
// `spec.healthCheckExprs`, with Flux's own packages at the versions kustomize-controller v1.9.5 pins
// (github.com/fluxcd/pkg/runtime v0.110.3, github.com/fluxcd/cli-utils v1.2.3). It prints, per object, the
// kstatus status the health check waits on: Current (healthy), InProgress, Failed (or Unknown when an
// expression cannot be evaluated, e.g. it reads a field the object lacks).
//
// What it mirrors of kustomize-controller v1.9.5 internal/controller/kustomization_controller.go:
//   - the expressions are compiled by cel.NewStatusReader (line 190; an invalid one fails the Kustomization as
//     Stalled, so it fails here too);
//   - the status readers are tried in the poller's order (getClientAndPoller, lines 1364-1372, and cli-utils
//     polling.go:25-43, engine.go:242-249): Flux's Job reader, the CEL reader when there are expressions, then
//     kstatus' own readers, and for any other kind the generic reader with kstatus' status.Compute;
//   - the object is read as the poller would read it from the cluster; each reader's ReadStatusForObject
//     (cli-utils statusreaders/generic.go:51-65) turns an evaluation error into Unknown with the error.
//
// Deployments, StatefulSets and ReplicaSets without an expression need their Pods from a cluster: refused.
//
// Two ways to run it:
//
//	flux-health CHECKS.yaml OBJECTS.yaml...
//	    CHECKS.yaml: a Flux Kustomization (its spec.healthCheckExprs) or a plain list of
//	    {apiVersion, kind, current, inProgress, failed}; OBJECTS.yaml: objects as YAML documents, lists or Lists.
//	    Prints one line per object: `<Kind> <namespace>/<name>: <Status>[: <message or error>]`.
//
//	flux-health --serve
//	    One JSON request per stdin line, {"healthCheckExprs": [...], "object": {...}}, each answered in order
//	    by a line {"status": "Current", "message": "..."} or {"error": "..."} (an invalid expression).
//	    Tests start one process rather than one per object.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling/engine"
	kstatusreaders "github.com/fluxcd/cli-utils/pkg/kstatus/polling/statusreaders"
	"github.com/fluxcd/cli-utils/pkg/kstatus/status"
	"github.com/fluxcd/pkg/apis/kustomize"
	"github.com/fluxcd/pkg/runtime/cel"
	fluxreaders "github.com/fluxcd/pkg/runtime/statusreaders"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

func main() {
	args := os.Args[1:]
	var err error
	switch {
	case len(args) == 1 && args[0] == "--serve":
		err = serve(os.Stdin, os.Stdout)
	case len(args) >= 2 && !strings.HasPrefix(args[0], "-"):
		err = report(args[0], args[1:], os.Stdout)
	default:
		fmt.Fprintln(os.Stderr, "usage: flux-health CHECKS.yaml OBJECTS.yaml...  |  flux-health --serve (see the package comment)")
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "flux-health:", err)
		os.Exit(1)
	}
}

// Result is the health of one object as the Kustomization's health check sees it.
type Result struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

// checker holds the status readers of one Kustomization, in the order the poller asks them.
type checker struct {
	readers  []engine.StatusReader
	fallback engine.StatusReader
}

// The object is given, not looked up, so no RESTMapper or cluster reader is consulted.
var noMapper meta.RESTMapper = meta.NewDefaultRESTMapper(nil)

// kinds kstatus reads with their generated objects (ReplicaSets, Pods) from a cluster.
var needCluster = map[schema.GroupKind]bool{
	{Group: "apps", Kind: "Deployment"}:  true,
	{Group: "apps", Kind: "StatefulSet"}: true,
	{Group: "apps", Kind: "ReplicaSet"}:  true,
}

func newChecker(exprs []kustomize.CustomHealthCheck) (*checker, error) {
	celReader, err := cel.NewStatusReader(exprs)
	if err != nil {
		return nil, err
	}
	readers := []engine.StatusReader{fluxreaders.NewCustomJobStatusReader(noMapper)}
	if len(exprs) > 0 {
		readers = append(readers, celReader(noMapper))
	}
	return &checker{readers: readers, fallback: kstatusreaders.NewGenericStatusReader(noMapper, status.Compute)}, nil
}

func (c *checker) health(object map[string]any) Result {
	u := &unstructured.Unstructured{Object: object}
	gk := u.GroupVersionKind().GroupKind()
	if gk.Kind == "" {
		return Result{Error: "the object has no apiVersion and kind"}
	}
	reader := c.fallback
	for _, r := range c.readers {
		if r.Supports(gk) {
			reader = r
			break
		}
	}
	if reader == c.fallback && needCluster[gk] {
		return Result{Error: fmt.Sprintf("kstatus reads a %s with its Pods from a cluster; give it a health check expression", gk)}
	}
	rs, err := reader.ReadStatusForObject(context.Background(), nil, u)
	if err != nil {
		return Result{Error: err.Error()}
	}
	result := Result{Status: rs.Status.String(), Message: rs.Message}
	if rs.Error != nil {
		result.Message = rs.Error.Error()
	}
	return result
}

type request struct {
	HealthCheckExprs []kustomize.CustomHealthCheck `json:"healthCheckExprs"`
	// Raw, to be decoded as the cluster client decodes it: whole numbers as int64, which kstatus'
	// generation check requires (unstructured.NestedInt64).
	Object json.RawMessage `json:"object"`
}

func serve(in io.Reader, out io.Writer) error {
	lines := bufio.NewScanner(in)
	lines.Buffer(make([]byte, 1<<20), 64<<20)
	answers := json.NewEncoder(out)
	// A test asks many objects against the same few sets of expressions: compile each set once.
	checkers := map[string]*checker{}
	for lines.Scan() {
		if len(bytes.TrimSpace(lines.Bytes())) == 0 {
			continue
		}
		var req request
		if err := json.Unmarshal(lines.Bytes(), &req); err != nil {
			return fmt.Errorf("reading a request: %w", err)
		}
		key, _ := json.Marshal(req.HealthCheckExprs)
		c, ok := checkers[string(key)]
		var answer Result
		if !ok {
			var err error
			if c, err = newChecker(req.HealthCheckExprs); err != nil {
				answer = Result{Error: err.Error()}
			} else {
				checkers[string(key)] = c
			}
		}
		if c != nil {
			var object map[string]any
			if err := utiljson.Unmarshal(req.Object, &object); err != nil {
				answer = Result{Error: fmt.Sprintf("reading the object: %v", err)}
			} else {
				answer = c.health(object)
			}
		}
		if err := answers.Encode(answer); err != nil {
			return err
		}
	}
	return lines.Err()
}

func report(checksFile string, objectFiles []string, out io.Writer) error {
	exprs, err := readChecks(checksFile)
	if err != nil {
		return err
	}
	c, err := newChecker(exprs)
	if err != nil {
		return fmt.Errorf("%s: %w", checksFile, err)
	}
	for _, file := range objectFiles {
		objects, err := readObjects(file)
		if err != nil {
			return err
		}
		for _, object := range objects {
			u := unstructured.Unstructured{Object: object}
			name := u.GetName()
			if ns := u.GetNamespace(); ns != "" {
				name = ns + "/" + name
			}
			r := c.health(object)
			line := fmt.Sprintf("%s %s: %s", u.GetKind(), name, r.Status)
			switch {
			case r.Error != "":
				line = fmt.Sprintf("%s %s: error: %s", u.GetKind(), name, r.Error)
			case r.Message != "":
				line += ": " + r.Message
			}
			fmt.Fprintln(out, line)
		}
	}
	return nil
}

// readChecks takes the expressions from a Kustomization's spec.healthCheckExprs, or a plain list of them.
func readChecks(file string) ([]kustomize.CustomHealthCheck, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var list []kustomize.CustomHealthCheck
	if err := yaml.UnmarshalStrict(data, &list); err == nil {
		return list, nil
	}
	var kustomization struct {
		Kind string `json:"kind"`
		Spec struct {
			HealthCheckExprs []kustomize.CustomHealthCheck `json:"healthCheckExprs"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &kustomization); err != nil || kustomization.Kind != "Kustomization" {
		return nil, fmt.Errorf("%s: neither a list of health check expressions nor a Kustomization", file)
	}
	return kustomization.Spec.HealthCheckExprs, nil
}

func readObjects(file string) ([]map[string]any, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var objects []map[string]any
	decoder := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
	for {
		var raw json.RawMessage
		if err := decoder.Decode(&raw); errors.Is(err, io.EOF) {
			return objects, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		var document any
		if err := utiljson.Unmarshal(raw, &document); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		objects = append(objects, unlist(document)...)
	}
}

// unlist takes the objects of a document: an object, a List's items, or a plain YAML list of objects.
func unlist(document any) []map[string]any {
	switch d := document.(type) {
	case map[string]any:
		if items, ok := d["items"].([]any); ok && strings.HasSuffix(fmt.Sprint(d["kind"]), "List") {
			return unlist(items)
		}
		return []map[string]any{d}
	case []any:
		var objects []map[string]any
		for _, item := range d {
			objects = append(objects, unlist(item)...)
		}
		return objects
	}
	return nil
}
