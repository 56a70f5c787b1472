# CI, Windows: the elevation-dependent integration tests and the smoke download run
# again as a local standard user, the user most apps run as. The runner is an
# elevated administrator, so this is the only place the "not elevated" answers of
# TakeOwnership, EnumJobs(BG_JOB_ENUM_ALL_USERS), GetOwnerIntegrityLevel/ElevationState
# and `net stop bits` are asserted. The user's password lives in this process only.
#
# BITS transfers only while a job's owner is logged on interactively; a process
# started with -Credential from a runner service may not count as that. When the
# smoke download is refused with ERROR_NOT_LOGGED_ON, this says so in one line and
# the job passes on the rest.
$ErrorActionPreference = 'Stop'
$user = 'bitsstandard'
$chars = [char[]]'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'
$password = -join (1..24 | ForEach-Object { $chars | Get-Random }) + 'a1A!'
$secure = ConvertTo-SecureString $password -AsPlainText -Force
New-LocalUser -Name $user -Password $secure -PasswordNeverExpires -AccountNeverExpires | Out-Null
Add-LocalGroupMember -Group 'Users' -Member $user
# The checkout (node_modules, build/, .test-results/) must be readable and writable by the user.
icacls $PWD /grant "${user}:(OI)(CI)M" /T /Q | Out-Null
$credential = New-Object System.Management.Automation.PSCredential ($user, $secure)
$node = (Get-Command node).Source

function Invoke-AsUser([string[]]$arguments, [string]$name) {
  $out = Join-Path $PWD ".test-results\$name.out.txt"
  $err = Join-Path $PWD ".test-results\$name.err.txt"
  $p = Start-Process -FilePath $node -ArgumentList $arguments -Credential $credential -LoadUserProfile `
    -WorkingDirectory $PWD -RedirectStandardOutput $out -RedirectStandardError $err -Wait -PassThru
  $text = [string](Get-Content $out -Raw) + [string](Get-Content $err -Raw)
  Write-Host $text  # Write-Output would join the function's result
  return @{ Code = $p.ExitCode; Text = $text }
}

New-Item -ItemType Directory -Force .test-results | Out-Null
$failed = $false

# The tests whose documented answer depends on elevation; each asserts the standard user's.
$tests = Invoke-AsUser @('node_modules/vitest/vitest.mjs', 'run', '--project', 'integration',
  'test/integration/methods.test.ts', 'test/integration/manager.test.ts', 'test/integration/job4.test.ts', 'test/integration/service.test.ts',
  '-t', 'allUsers|takeOwnership|each getter|the service going away') 'standard-user-tests'
if ($tests.Code -ne 0) { Write-Output "standard user: the elevation-dependent tests failed (exit $($tests.Code))"; $failed = $true }

$smoke = Invoke-AsUser @('scripts/smoke.mjs') 'standard-user-smoke'
if ($smoke.Code -ne 0) {
  if ($smoke.Text -match 'ERROR_NOT_LOGGED_ON') {
    Write-Output 'standard user: BITS refused the smoke download with ERROR_NOT_LOGGED_ON (0x800704DD): the user is not logged on interactively on this runner'
  } else {
    Write-Output "standard user: the smoke download failed (exit $($smoke.Code))"
    $failed = $true
  }
}

Remove-LocalUser -Name $user
if ($failed) { exit 1 }
