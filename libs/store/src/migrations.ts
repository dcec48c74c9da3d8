import { Identity1764158400000 } from './migrations/1764158400000-identity.js';
import { LimitCounters1764158500000 } from './migrations/1764158500000-limit-counters.js';
import { Planning1764158600000 } from './migrations/1764158600000-planning.js';
import { VolatileLimitCounters1764158650000 } from './migrations/1764158650000-volatile-limit-counters.js';
import { ForwardPlanner1764158700000 } from './migrations/1764158700000-forward-planner.js';
import { Planfix1764158800000 } from './migrations/1764158800000-planfix.js';
import { ReverseEtl1764158900000 } from './migrations/1764158900000-reverse-etl.js';
import { Planpoint1764159000000 } from './migrations/1764159000000-planpoint.js';
import { EventSpans1764159100000 } from './migrations/1764159100000-event-spans.js';
import { EventSpliceOffsets1764159200000 } from './migrations/1764159200000-event-splice-offsets.js';
import { SourceByteCaps1764159400000 } from './migrations/1764159400000-source-byte-caps.js';
import { SessionPasswordVersion1764159500000 } from './migrations/1764159500000-session-password-version.js';
import { AccountNamespace1764159600000 } from './migrations/1764159600000-account-namespace.js';
import { AccountSigningKey1764159700000 } from './migrations/1764159700000-account-signing-key.js';
import { EventRefs1764159900000 } from './migrations/1764159900000-event-refs.js';
import { Pruning1764159900100 } from './migrations/1764159900100-pruning.js';
import { RetlMoreModels1764160000000 } from './migrations/1764160000000-retl-more-models.js';
import { LimitBuckets1764160100000 } from './migrations/1764160100000-limit-buckets.js';
import { SharedInstances1764160200000 } from './migrations/1764160200000-shared-instances.js';

/** Every migration, oldest first. The store runs them at start; nothing else changes the schema. */
export const MIGRATIONS = [
  Identity1764158400000,
  LimitCounters1764158500000,
  Planning1764158600000,
  VolatileLimitCounters1764158650000,
  ForwardPlanner1764158700000,
  Planfix1764158800000,
  ReverseEtl1764158900000,
  Planpoint1764159000000,
  EventSpans1764159100000,
  EventSpliceOffsets1764159200000,
  SourceByteCaps1764159400000,
  SessionPasswordVersion1764159500000,
  AccountNamespace1764159600000,
  AccountSigningKey1764159700000,
  EventRefs1764159900000,
  Pruning1764159900100,
  RetlMoreModels1764160000000,
  LimitBuckets1764160100000,
  SharedInstances1764160200000,
];
