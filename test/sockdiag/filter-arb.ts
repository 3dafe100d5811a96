/** fast-check generators of inet_diag filter expressions, shared by the unit and live tests. */
import fc from 'fast-check';
import type { InetDiagFilter } from '../../src/sockdiag/index.ts';

/** Expressions over the given ports and address conditions, nested up to 3 levels. */
export function filterArb(ports: number[], addresses: string[]): fc.Arbitrary<InetDiagFilter> {
  const portArb = fc.constantFrom(...ports);
  const portCondArb = fc.oneof(
    portArb,
    fc.record({ ge: portArb }),
    fc.record({ lt: portArb }),
    fc.record({ ge: portArb, le: portArb }),
    fc.record({ gt: portArb, lt: portArb, ne: portArb }, { requiredKeys: ['gt'] }),
  );
  const addrArb = fc.constantFrom(...addresses);
  const leafArb = fc
    .record(
      {
        localPort: portCondArb,
        remotePort: portCondArb,
        localAddress: fc.oneof(addrArb, fc.array(addrArb, { minLength: 1, maxLength: 2 })),
        remoteAddress: addrArb,
      },
      { requiredKeys: [] },
    )
    .filter((r) => Object.keys(r).length > 0) as fc.Arbitrary<InetDiagFilter>;
  return fc.letrec<{ e: InetDiagFilter }>((tie) => ({
    e: fc.oneof(
      { maxDepth: 3, depthIdentifier: 'e' },
      leafArb,
      fc.record({ and: fc.array(tie('e'), { maxLength: 3 }) }),
      fc.record({ or: fc.array(tie('e'), { maxLength: 3 }) }),
      fc.record({ not: tie('e') }),
    ),
  })).e;
}
