// Command flux-build builds a Flux Kustomization offline, as `flux build kustomization NAME --path DIR
// --kustomization-file FILE --dry-run` does and as kustomize-controller v1.9.5 builds before it applies, with
// Flux's own packages at the versions flux2 v2.9.5 and kustomize-controller v1.9.5 pin
// (github.com/fluxcd/pkg/kustomize v1.35.6, github.com/fluxcd/pkg/ssa v0.76.2,
// github.com/fluxcd/kustomize-controller/api v1.9.5). It prints the objects the controller would apply.
//
// Why not the flux CLI itself: flux2's cmd/flux embeds `manifests/*.yaml` (cmd/flux/manifests.embed.go:27),
// files its Makefile generates before `go build` and its module zip does not hold, so the command does not
// build from the Go module (fluxcd/flux2#1187). Its build code (internal/build) cannot be imported; the
// library calls it makes can, and are what this program makes, in the same order:
//
//   - the Kustomization is read from the file: the first Kustomization (kustomize.toolkit.fluxcd.io) named
//     NAME in the namespace given (or none) — internal/build/build.go:548-577;
//   - a kustomization.yaml is generated from its spec where the folder has none, listing every YAML file
//     under it (and any sub-folder with its own kustomization.yaml), with the Kustomization's patches,
//     images, namePrefix/Suffix, components and namespace — fluxcd/pkg/kustomize NewGenerator + WriteFile,
//     as kustomize-controller's generate (kustomization_controller.go:747-751) and the CLI
//     (build.go:579-595) call it;
//   - kustomize builds it — SecureBuild confined to the source root, as the controller does (line 789);
//   - each object must have apiVersion, kind and name (lines 794-798);
//   - spec.postBuild.substitute is applied in dry-run mode: inline variables only, as the CLI does without a
//     cluster (build.go:597-637); substituteFrom ConfigMaps/Secrets need the cluster and are skipped;
//   - spec.commonMetadata is set, then the owner labels kustomize.toolkit.fluxcd.io/name and /namespace
//     (lines 855 and 461).
//
// Unlike the CLI, which writes the generated kustomization.yaml into --path and removes it again, the build
// runs in a temporary copy of the source root, as the controller builds in a temporary copy of the artifact
// (lines 338-371): the repository is never touched.
//
//	flux-build kustomization NAME --kustomization-file FILE (--path DIR | --source-root ROOT) [--namespace NS]
//
// With --path, DIR is built (the CLI's --dry-run); relative references may not leave DIR. With
// --source-root, ROOT is the checkout a GitRepository would give and the Kustomization's own spec.path is
// built in it, as the controller does (securejoin of the artifact and spec.path, line 371).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/kustomize"
	"github.com/fluxcd/pkg/ssa"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
)

const usage = "usage: flux-build kustomization NAME --kustomization-file FILE (--path DIR | --source-root ROOT) [--namespace NS]"

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "flux-build:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	if len(args) < 2 || (args[0] != "kustomization" && args[0] != "ks") {
		return errors.New(usage)
	}
	name := args[1]
	flags := flag.NewFlagSet("flux-build", flag.ContinueOnError)
	file := flags.String("kustomization-file", "", "the file holding the Flux Kustomization")
	path := flags.String("path", "", "the folder to build (as flux build --dry-run)")
	root := flags.String("source-root", "", "the source checkout; builds the Kustomization's spec.path in it")
	namespace := flags.String("namespace", "", "the Kustomization's namespace, where the file holds several")
	flags.Bool("dry-run", true, "accepted for the flux CLI's command line; the build is always offline")
	if err := flags.Parse(args[2:]); err != nil {
		return err
	}
	if *file == "" || (*path == "") == (*root == "") || flags.NArg() > 0 {
		return errors.New(usage)
	}

	k, err := readKustomization(*file, name, *namespace)
	if err != nil {
		return err
	}
	sourceRoot, relative := *path, "."
	if *root != "" {
		sourceRoot, relative = *root, k.Spec.Path
	}
	objects, err := build(k, sourceRoot, relative)
	if err != nil {
		return err
	}
	yaml, err := ssautil.ObjectsToYAML(objects)
	if err != nil {
		return err
	}
	_, err = io.WriteString(out, yaml)
	return err
}

// readKustomization finds the Kustomization as the CLI does (build.go:548-577).
func readKustomization(file, name, namespace string) (*kustomizev1.Kustomization, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	decoder := k8syaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), len(data))
	for {
		k := &kustomizev1.Kustomization{}
		if err := decoder.Decode(k); errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("no Kustomization named %q in namespace %q in %s", name, namespace, file)
		} else if err != nil {
			return nil, fmt.Errorf("reading %s: %w", file, err)
		}
		if strings.HasPrefix(k.APIVersion, kustomizev1.GroupVersion.Group+"/") &&
			k.Kind == kustomizev1.KustomizationKind && k.Name == name &&
			(k.Namespace == namespace || namespace == "") {
			return k, nil
		}
	}
}

func build(k *kustomizev1.Kustomization, sourceRoot, relative string) ([]*unstructured.Unstructured, error) {
	if info, err := os.Stat(sourceRoot); err != nil || !info.IsDir() {
		// The CLI's message for a --path that is not a folder (build_kustomization.go:111-113).
		return nil, fmt.Errorf("invalid resource path %q", sourceRoot)
	}
	workDir, err := os.MkdirTemp("", "flux-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(workDir)
	if err := copyTree(sourceRoot, workDir); err != nil {
		return nil, fmt.Errorf("copying %s: %w", sourceRoot, err)
	}
	dirPath, err := securejoin.SecureJoin(workDir, relative)
	if err != nil {
		return nil, err
	}
	if info, err := os.Stat(dirPath); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("the path %q is not a folder of %s", relative, sourceRoot)
	}

	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(k)
	if err != nil {
		return nil, err
	}
	u := unstructured.Unstructured{Object: content}
	if _, err := kustomize.NewGenerator(workDir, u).WriteFile(dirPath); err != nil {
		return nil, fmt.Errorf("generating kustomization.yaml: %w", err)
	}
	m, err := kustomize.SecureBuild(workDir, dirPath, false)
	if err != nil {
		return nil, fmt.Errorf("kustomize build failed: %w", err)
	}
	for _, res := range m.Resources() {
		if res.GetName() == "" || res.GetKind() == "" || res.GetApiVersion() == "" {
			return nil, fmt.Errorf("failed to decode Kubernetes apiVersion, kind and name from: %v", res.String())
		}
		if k.Spec.PostBuild == nil {
			continue
		}
		outRes, err := kustomize.SubstituteVariables(context.Background(), nil, u, res,
			kustomize.SubstituteWithDryRun(true),
			kustomize.SubstituteWithAlways(k.GetSubstituteStrategy() == kustomizev1.SubstituteStrategyAlways))
		if err != nil {
			return nil, fmt.Errorf("post build failed for '%s/%s': %w", res.GetGvk(), res.GetName(), err)
		}
		if outRes != nil {
			if _, err := m.Replace(res); err != nil {
				return nil, err
			}
		}
	}
	resources, err := m.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("kustomize build failed: %w", err)
	}
	objects, err := ssautil.ReadObjects(bytes.NewReader(resources))
	if err != nil {
		return nil, err
	}
	if cm := k.Spec.CommonMetadata; cm != nil {
		ssautil.SetCommonMetadata(objects, cm.Labels, cm.Annotations)
	}
	// Only the owner labels are taken from the resource manager: it is given no cluster.
	ssa.NewResourceManager(nil, nil, ssa.Owner{Field: "kustomize-controller", Group: kustomizev1.GroupVersion.Group}).
		SetOwnerLabels(objects, k.GetName(), k.GetNamespace())
	return objects, nil
}

// copyTree copies the regular files and folders of src into dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case entry.IsDir() && (entry.Name() == ".git" || entry.Name() == "node_modules"):
			// Not manifests: .git never reaches an artifact; node_modules would only cost the copy.
			return filepath.SkipDir
		case entry.IsDir():
			return os.MkdirAll(target, 0o755)
		case entry.Type().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, 0o644)
		}
		return nil
	})
}
