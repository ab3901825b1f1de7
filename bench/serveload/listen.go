package main

import "net"

// netListen listens on a free loopback port: the benchmark never leaves the machine.
func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
