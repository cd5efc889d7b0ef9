// The host panel's facts (server/metrics/host-facts.ts): read-only, for every role.
import { hostFacts } from '../../metrics/host-facts.js';
import { router, viewerProcedure } from '../trpc.js';

export const hostFactsRouter = router({
  facts: viewerProcedure.query(() => hostFacts()),
});
