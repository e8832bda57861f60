// CoreDNS for the local cluster's real node, with only the plugins its Corefile uses (the upstream
// main imports every plugin, with cloud SDKs that would triple the build). The Corefile is written by
// tools/local-cluster/node/dns.ts. Built by build.sh like the other components.
package main

import (
	_ "github.com/coredns/coredns/core/dnsserver" // the "dns" server type and the directive order
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/template"
)

func main() { coremain.Run() }
