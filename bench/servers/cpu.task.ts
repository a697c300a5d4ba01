// The thread task of the threads scenario: the same CPU work as the inline route.
import { cpuWork } from './cpu-work';

export default function cpu() {
  return { body: cpuWork() };
}
