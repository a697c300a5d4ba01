// httppool/testing: what a test needs and an app in production does not.

export { createTestApp, type TestAppOptions, type TestProvider } from './create-test-app';
export { FakePool, type FakePoolOptions, type FakeJob } from './fake-pool';
