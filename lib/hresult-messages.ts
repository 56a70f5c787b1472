// Built-in descriptions, used only where neither BITS nor the system describes a
// code (Wine describes none of BITS's own). Worded after Microsoft's BITS docs.
export const HRESULT_MESSAGES: Readonly<Record<string, string>> = {
  E_NOTIMPL: 'This BITS service does not implement the method',
  E_NOINTERFACE: 'This BITS service does not support the interface (an older Windows, or Wine)',
  E_ACCESSDENIED: 'Access denied: only the job owner or an administrator may do this',
  E_INVALIDARG: 'An argument was not valid for BITS',
  ERROR_NOT_LOGGED_ON:
    "BITS only transfers while the job's owner is logged on interactively (service accounts are always logged on)",
  RPC_S_SERVER_UNAVAILABLE: 'The BITS service is not reachable (it stopped or was never started)',
  RPC_S_CALL_FAILED: 'The call to the BITS service failed: the connection to the service was lost',
  RPC_S_UNKNOWN_IF: 'The BITS service no longer offers the interface (it is stopping): connect again',
  RPC_E_DISCONNECTED: 'The connection to the BITS service was lost: connect again',
  RPC_E_SERVER_DIED: 'The BITS service stopped during the call: connect again',
  RPC_E_SERVER_DIED_DNE: 'The BITS service stopped before the call ran: connect again',
  CO_E_OBJNOTCONNECTED: 'The BITS object is no longer connected to the service',
  CO_E_SERVER_STOPPING: 'The BITS service is stopping: connect again',
  ERROR_SERVICE_NOT_ACTIVE: 'The BITS service has stopped: connect again',
  CO_E_NOTINITIALIZED: 'The addon is shutting down or could not start COM',
  REGDB_E_CLASSNOTREG: 'The BITS service is not installed on this system',
  ERROR_SERVICE_DISABLED: 'The BITS service is disabled',
  BG_E_NOT_FOUND: 'The requested job was not found',
  BG_E_INVALID_STATE: 'The requested action is not allowed in the current job state',
  BG_E_EMPTY: 'There are no files attached to this job',
  BG_E_FILE_NOT_AVAILABLE: 'No file is available because no URL generated an error',
  BG_E_PROTOCOL_NOT_AVAILABLE: 'No protocol is available because no URL generated an error',
  BG_E_DESTINATION_LOCKED: 'The destination file is locked by another program',
  BG_E_VOLUME_CHANGED: 'The destination volume has changed',
  BG_E_ERROR_INFORMATION_UNAVAILABLE: 'No error information is available',
  BG_E_NETWORK_DISCONNECTED: 'No network connection is active on this computer',
  BG_E_MISSING_FILE_SIZE: 'The server did not return the file size; the URL might point to dynamic content',
  BG_E_INSUFFICIENT_HTTP_SUPPORT: 'The server does not support HTTP 1.1',
  BG_E_INSUFFICIENT_RANGE_SUPPORT: 'The server does not support the Range header',
  BG_E_REMOTE_NOT_SUPPORTED: 'Remote use of BITS is not supported',
  BG_E_TOO_MANY_FILES: 'The job can hold no more files',
  BG_E_LOCAL_FILE_CHANGED: 'The local file changed during the transfer',
  BG_E_INVALID_SERVER_RESPONSE: 'The server returned an invalid response',
  BG_E_TOO_LARGE: 'The upload file is larger than the server accepts',
  BG_E_STRING_TOO_LONG: 'A string is too long for BITS',
  BG_E_NO_PROGRESS: 'The job made no progress within its no-progress timeout',
  BG_E_FILE_NOT_FOUND: 'The file was not found on the server',
  BG_E_INVALID_RANGE: 'A requested byte range is not valid',
  BG_E_CONNECT_FAILURE: 'The connection to the server could not be established',
  BG_E_CONNECTION_CLOSED: 'The server closed the connection',
  BG_E_NAME_RESOLUTION_FAILURE: 'The server name could not be resolved',
  BG_E_TIMEOUT: 'The request timed out',
  BG_E_BLOCKED_BY_POLICY: 'Group policy blocks this transfer',
  BG_E_INVALID_CREDENTIALS: 'The credentials are not valid',
  BG_E_TOO_MANY_JOBS_PER_USER: 'This user already has the most jobs BITS allows (60 by default): complete or cancel some',
  BG_E_TOO_MANY_JOBS_PER_MACHINE: 'The BITS queue is full (300 jobs by default): complete or cancel some',
  BG_E_TOO_MANY_FILES_IN_JOB: 'The job has the most files BITS allows (200 by default)',
  BG_E_TOO_MANY_RANGES_IN_FILE: 'The file has the most ranges BITS allows (500 by default)',
  BG_E_MAXDOWNLOAD_TIMEOUT: 'The job did not finish within its maximum download time',
  BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE: 'The property cannot be changed after a file was added',
  BG_E_READ_ONLY_PROPERTY_AFTER_RESUME: 'The property cannot be changed after the job was resumed',
  BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY: 'The property applies to download jobs only',
  BG_E_REMOTE_FILE_CHANGED: 'The remote file changed during the transfer',
};

/** `BG_E_PROXY_LIST_TOO_LARGE` -> `Proxy list too large`: honest, if plain. */
export function describeName(name: string): string {
  const http = /^BG_E_HTTP_ERROR_(\d{3})$/.exec(name);
  if (http) return `The server answered HTTP status ${http[1]}`;
  const words = name.replace(/^(BG_[ES]_|BITS_MC_|E_|ERROR_|RPC_[ES]_|CO_E_)/, '').replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
