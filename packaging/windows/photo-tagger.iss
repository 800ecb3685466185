; Inno Setup script: wraps the PyInstaller one-folder build (build\dist\photo-tagger) into
; build\installer\photo-tagger-setup-<version>.exe. Built by .github/workflows/package.yml on a
; Windows runner:  iscc /DAppVersion=0.1.0 packaging\windows\photo-tagger.iss
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6E0F2B7C-3C1D-4D0B-9A7E-5B7E2C1F9A10}
AppName=photo-tagger
AppVersion={#AppVersion}
AppPublisher=photo-tagger developers
DefaultDirName={autopf}\photo-tagger
DefaultGroupName=photo-tagger
OutputDir=..\..\build\installer
OutputBaseFilename=photo-tagger-setup-{#AppVersion}
SetupIconFile=..\..\resources\icons\photo-tagger.ico
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog

[Files]
Source: "..\..\build\dist\photo-tagger\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\photo-tagger"; Filename: "{app}\photo-tagger.exe"; Parameters: "gui"
Name: "{autodesktop}\photo-tagger"; Filename: "{app}\photo-tagger.exe"; Parameters: "gui"; Tasks: desktopicon

[Tasks]
Name: desktopicon; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\photo-tagger.exe"; Parameters: "gui"; Description: "Start photo-tagger"; Flags: nowait postinstall skipifsilent
