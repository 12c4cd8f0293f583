import type { CheckGroup } from './check.js';
import { cluster } from './cluster.js';
import { connectivity } from './connectivity.js';
import { expiry } from './expiry.js';
import { isolation } from './isolation.js';
import { node } from './node.js';
import { plan } from './plan.js';
import { preflight } from './preflight.js';
import { proxy } from './proxy.js';

// Every group of doctor checks, in the order they are reported: what must
// hold before `up` (preflight), what `plan` would say, then the network, the proxy, what nodes
// fetch at boot, the cluster and what expires. Each group lives in its own
// module; add a group here to have doctor run it.

export const GROUPS: CheckGroup[] = [
  preflight,
  plan,
  isolation,
  connectivity,
  proxy,
  node,
  cluster,
  expiry,
];
