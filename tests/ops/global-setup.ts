// The ops suite drives the built server: fail at once, with the fix, when there is no build.
import { assertServerBuilt } from "../fixtures/server-process";

export default function setup() {
  assertServerBuilt();
}
