public enum LIPCoreVersion { public static let string = "0.1.0" }
