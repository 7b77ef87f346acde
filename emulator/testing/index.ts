/** Helpers for tests that run the emulator in-process; see emulator/README.md "Programmatic API". */
export { testDataDir } from "./paths.js";
export {
  buildTestScenario,
  decodeJwtPayload,
  postForm,
  REQUIRED_APP_PERMISSIONS,
  REQUIRED_DELEGATED_PERMISSIONS,
  startTestEmulator,
  TEST,
  TEST_API,
  testCertificate,
} from "./fixtures.js";
export { authorizeWithArmedUser, providerClient, type AuthCodeRun } from "./flows.js";
