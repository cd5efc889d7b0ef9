// The network tests' names for the scriptable host, which is the engine's one fake (host/fake.ts).
export { createFakeHost as createFakeNetHost, FAKE_FILE, type FakeCall, type FakeHost as FakeNetHost } from '../../host/fake.js';
