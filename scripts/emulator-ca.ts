import path from "node:path";
import { ensureTlsMaterial } from "@/emulator/certs";

// Creates (once) the emulator's CA and server certificate in the given folder and prints the CA's path,
// so a shell script can export NODE_EXTRA_CA_CERTS before starting Node processes that call the emulator.
const dir = path.resolve(process.argv[2] ?? ".data/emulator");
console.log(ensureTlsMaterial(dir).caCertPath);
