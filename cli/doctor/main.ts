import { runAsMain } from "../shared/command";
import { doctorCommand } from "./command";

runAsMain(doctorCommand);
