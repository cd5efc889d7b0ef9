// A labelled list of facts (key → value) as the pod and container pages show them.
import type { ReactNode } from 'react';

export function FactList({ facts }: { facts: [string, ReactNode][] }) {
  return (
    <dl className="kv">
      {facts.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd className="mono">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
