/**
 * A screen tells the shell it is ready once, after its first load that succeeded (a failed first load
 * shows its error and the retry still counts). Returns the call to make after every load.
 */
export function readyAfterFirstLoad(onReady: () => void): (succeeded: boolean) => void {
  let ready = false;
  return (succeeded) => {
    if (ready || !succeeded) return;
    ready = true;
    onReady();
  };
}
