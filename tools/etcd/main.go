// The etcd server, built from its Go module: go.etcd.io/etcd/server/v3 is a library module whose go.mod
// refuses `go install`, so this main only hands the command line to etcdmain.Main, as etcd's own main does.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
