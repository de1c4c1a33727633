// Command ksm-check reads a kube-state-metrics custom-resource-state configuration with kube-state-metrics'
// own code (k8s.io/kube-state-metrics/v2 v2.20.0, pkg/customresourcestate) and, given objects, prints the
// metrics kube-state-metrics would serve for them, in the Prometheus text format.
//
//	ksm-check CONFIG.yaml [OBJECTS.yaml...]
//
// CONFIG.yaml is what --custom-resource-state-config-file reads (a ConfigMap's data key, mounted as a file):
// `kind: CustomResourceStateMetrics` and `spec.resources`. OBJECTS.yaml holds custom resources (YAML
// documents, plain lists or Lists), as the API server would list them.
//
// What it runs of kube-state-metrics v2.20.0, in the order the server runs it:
//   - the configuration is decoded by customresourcestate.FromConfig (pkg/customresourcestate/config.go:173-183)
//     from a goyaml.v3 decoder, as pkg/app/server.go:658-674 (resolveCustomResourceConfig) builds it: an error
//     there is the error kube-state-metrics exits with;
//   - each resource is compiled by NewCustomResourceMetrics (custom_resource_metrics.go:48-60), which the
//     server calls once the CRD is discovered (config.go:202-205): an invalid path or metric type fails here;
//   - objects become metrics through the stores the server builds for custom resources
//     (internal/store/builder.go:647-685): the family generators (MetricFamilyGenerators), their headers
//     (generator.ExtractMetricFamilyHeaders), a metricsstore.MetricsStore per resource fed each object with
//     Add, written out by metricsstore.MetricsWriter.WriteAll as /metrics writes them.
//
// Beyond kube-state-metrics: its decoder ignores unknown fields, so a misspelt key silently loses a label or a
// metric; ksm-check refuses them. The CRD discovery a live server does is skipped: a resource must name its
// group, version and kind exactly (no wildcards), and its plural comes from resourcePlural or, as
// kube-state-metrics defaults it (config.go:83-90), from the kind. Objects without metadata.uid get one (the
// store keys objects by UID).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/kube-state-metrics/v2/pkg/customresourcestate"
	generator "k8s.io/kube-state-metrics/v2/pkg/metric_generator"
	metricsstore "k8s.io/kube-state-metrics/v2/pkg/metrics_store"
	yaml "sigs.k8s.io/yaml/goyaml.v3"
)

func main() {
	if len(os.Args) < 2 || strings.HasPrefix(os.Args[1], "-") {
		fmt.Fprintln(os.Stderr, "usage: ksm-check CONFIG.yaml [OBJECTS.yaml...]")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ksm-check:", err)
		os.Exit(1)
	}
}

func run(configFile string, objectFiles []string, out io.Writer) error {
	config, err := os.ReadFile(configFile)
	if err != nil {
		return err
	}
	// As kube-state-metrics reads it: an error here stops the server.
	if _, err := customresourcestate.FromConfig(yaml.NewDecoder(bytes.NewReader(config)), nil); err != nil {
		return fmt.Errorf("%s: %w", configFile, err)
	}

	var metrics struct {
		Kind string                          `yaml:"kind"`
		Spec customresourcestate.MetricsSpec `yaml:"spec"`
	}
	strict := yaml.NewDecoder(bytes.NewReader(config))
	strict.KnownFields(true)
	if err := strict.Decode(&metrics); err != nil {
		return fmt.Errorf("%s: %w (kube-state-metrics ignores unknown fields: the metric or label would silently be missing)", configFile, err)
	}
	if len(metrics.Spec.Resources) == 0 {
		return fmt.Errorf("%s: spec.resources is empty: no metrics would be generated", configFile)
	}

	objects, err := readObjects(objectFiles)
	if err != nil {
		return err
	}

	var stores []*metricsstore.MetricsStore
	for i, resource := range metrics.Spec.Resources {
		gvk := resource.GroupVersionKind
		if gvk.Group == "" || gvk.Version == "" || gvk.Kind == "" || strings.Contains(gvk.String(), "*") {
			return fmt.Errorf("%s: spec.resources[%d]: name the group, version and kind exactly (got %s)", configFile, i, gvk)
		}
		// The lower-casing of each metric type FromConfig does before it compiles (config.go:232-240).
		for j := range resource.Metrics {
			resource.Metrics[j].Each.Type = typeLower(resource.Metrics[j].Each.Type)
		}
		factory, err := customresourcestate.NewCustomResourceMetrics(resource)
		if err != nil {
			return fmt.Errorf("%s: spec.resources[%d] (%s): %w", configFile, i, gvk, err)
		}
		families := factory.MetricFamilyGenerators()
		store := metricsstore.NewMetricsStore(generator.ExtractMetricFamilyHeaders(families), generator.ComposeMetricGenFuncs(families))
		for _, object := range objects {
			u := &unstructured.Unstructured{Object: object}
			if u.GroupVersionKind().Group != gvk.Group || u.GroupVersionKind().Version != gvk.Version || u.GetKind() != gvk.Kind {
				continue
			}
			if u.GetUID() == "" {
				u.SetUID(types.UID(u.GetNamespace() + "/" + u.GetName()))
			}
			if err := store.Add(u); err != nil {
				return err
			}
		}
		stores = append(stores, store)
	}
	if len(objectFiles) == 0 {
		fmt.Fprintf(os.Stderr, "ksm-check: %s: %d resource(s) compiled\n", configFile, len(stores))
		return nil
	}
	for _, store := range stores {
		if err := metricsstore.NewMetricsWriter("customresource", store).WriteAll(out); err != nil {
			return err
		}
	}
	return nil
}

func typeLower[T ~string](t T) T { return T(strings.ToLower(string(t))) }

func readObjects(files []string) ([]map[string]any, error) {
	var objects []map[string]any
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			var raw json.RawMessage
			if err := decoder.Decode(&raw); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			// Whole numbers as int64, as the API client decodes them.
			var document any
			if err := utiljson.Unmarshal(raw, &document); err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			objects = append(objects, unlist(document)...)
		}
	}
	return objects, nil
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
