import { runAsMain } from "../shared/command";
import { verifyCommand } from "./command";

runAsMain(verifyCommand());
